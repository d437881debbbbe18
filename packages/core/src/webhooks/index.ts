export * from './secret-box.js';
export * from './url-policy.js';
export * from './http-sender.js';
export * from './deps.js';
export * from './subscriptions.js';
export * from './dispatch.js';
export * from './events.js';

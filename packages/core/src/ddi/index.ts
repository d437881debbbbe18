export * from './errors.js';
export * from './gateway-tokens.js';
export * from './controller.js';
export * from './deployment.js';
export * from './feedback.js';
export * from './token-polls.js';
export * from './view-cache.js';

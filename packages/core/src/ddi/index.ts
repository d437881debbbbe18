export * from './errors.js';
export * from './gateway-tokens.js';
export * from './controller.js';
export * from './deployment.js';
export * from './feedback.js';

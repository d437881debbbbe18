export * from './errors.js';
export * from './context.js';
export * from './auth/secrets.js';
export * from './device-auth/index.js';
export * from './telemetry/index.js';

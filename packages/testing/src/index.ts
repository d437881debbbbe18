export * from './database.js';
export * from './redis.js';
export * from './kafka.js';
export * from './telemetry-fixtures.js';
export * from './config.js';

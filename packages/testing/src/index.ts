export * from './database.js';
export * from './redis.js';
export * from './kafka.js';
export * from './telemetry-fixtures.js';
export * from './config.js';
export * from './ddi-device.js';
export * from './rollout-fixture.js';
export * from './webhook-receiver.js';

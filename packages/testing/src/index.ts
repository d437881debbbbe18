export * from './database.js';
export * from './redis.js';
export * from './ddi-device.js';
export * from './rollout-fixture.js';

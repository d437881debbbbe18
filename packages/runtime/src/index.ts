export * from './logger.js';
export * from './redis.js';
export * from './metrics.js';
export * from './health.js';
export * from './shutdown.js';
export * from './kafka.js';
export * from './dev-kafka.js';
export * from './topics.js';

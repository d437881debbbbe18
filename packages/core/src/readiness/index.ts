export * from './exposure.js';
export * from './worm-reach.js';
export * from './readiness.js';
export * from './query.js';

export * from './errors.js';
export * from './ingest.js';
export * from './plan-batch.js';
export * from './process-batch.js';
export * from './liveness.js';
export * from './queries.js';

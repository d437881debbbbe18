export * from './duration.js';
export * from './conditions.js';
export * from './schema.js';
export * from './parse.js';
export * from './planner.js';
export * from './run-state.js';
export * from './webhook-signature.js';
export * from './triggers.js';

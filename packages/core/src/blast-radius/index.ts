export * from './types.js';
export * from './advisory-match.js';
export * from './score.js';
export * from './query.js';
export * from './selectors.js';

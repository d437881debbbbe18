export * from './types.js';
export * from './advisory-match.js';
export * from './score.js';

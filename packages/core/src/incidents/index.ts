export * from './timeline.js';
export * from './severity.js';
export * from './lifecycle.js';
export * from './correlate.js';
export * from './live.js';
export * from './use-cases.js';

export * from './jobs.js';
export * as ddi from './ddi.v1.js';

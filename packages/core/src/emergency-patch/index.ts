export * from './plan.js';
export * from './start-emergency-patch.js';

/** Playbook use-cases (`@warden/core/playbooks`): definitions, runs, the worker's engine, automation. */
export * from './index.js';
export * from './deps.js';
export * from './definitions.js';
export * from './incident-context.js';
export * from './run-store.js';
export * from './runs.js';
export * from './executors.js';
export * from './engine.js';
export * from './automation.js';
export * from './step-executors.js';
export * from './notify-executor.js';
export * from './patch-executor.js';
export * from './containment-executor.js';
export * from './builtin.js';

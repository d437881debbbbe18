export * from './topics.js';
export * from './telemetry/telemetry.v1.js';
export * from './telemetry/dlq.v1.js';
export * from './telemetry/device-events.v1.js';

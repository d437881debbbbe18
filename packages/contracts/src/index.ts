/**
 * What crosses a process boundary: Kafka topics and event schemas, queue names and job payloads,
 * the device API schemas. Devices and the simulator depend on this package only.
 */
export * from './jobs.js';
export * as ddi from './ddi.v1.js';
export * from './topics.js';
export * from './telemetry/telemetry.v1.js';
export * from './telemetry/dlq.v1.js';
export * from './telemetry/device-events.v1.js';
export * from './webhooks.v1.js';
export * from './device-roster.v1.js';

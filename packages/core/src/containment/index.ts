/**
 * Containment: quarantine devices, isolate a segment, block a destination, rotate or revoke device
 * credentials, release. `requestContainment(deps, actor, input)` records and applies one request and
 * returns its containments (one per target); the worker delivers them (`deliverContainments`) to
 * `warden.containment.v1` and the devices' retained MQTT state; `releaseContainment` undoes one.
 */
export * from './plan.js';
export * from './deps.js';
export * from './live.js';
export * from './events.js';
export * from './request.js';
export * from './release.js';
export * from './delivery.js';
export * from './queries.js';
export * from './use-cases.js';
export { advanceIncidentIfContained, containmentActorRef } from './incident-link.js';

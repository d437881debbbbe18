/**
 * Warden's product logic, one folder per feature. Transports (GraphQL, HTTP, Kafka, BullMQ) call
 * these use-cases; each checks the actor's role and writes the audit log itself.
 */
export * from './errors.js';
export * from './context.js';
export * from './auth/roles.js';
export * from './auth/secrets.js';
export * from './auth/passwords.js';
export * from './auth/identity.js';
export * from './audit/audit.js';
export * from './audit/query.js';
export * from './fleet/firmware-version.js';
export * from './fleet/device-input.js';
export * from './fleet/import.js';
export * from './fleet/devices.js';
export * from './fleet/credentials.js';
export * from './fleet/query.js';
export * from './fleet/places.js';
export * from './demo/office.js';
export * from './demo/seed.js';
export * from './demo/firmware.js';
export * from './demo/roster.js';
export * from './demo/rollout.js';
export * from './detection/index.js';
export * from './incidents/index.js';
export * from './blast-radius/index.js';
export * from './playbooks/index.js';
export * from './readiness/index.js';
export * from './emergency-patch/index.js';
export * from './device-auth/index.js';
export * from './telemetry/index.js';

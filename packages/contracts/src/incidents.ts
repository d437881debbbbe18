/** Incident-response contracts: alert and containment events. */
export * from './alerts.v1.js';
export * from './containment.v1.js';

import type { AlertV1 } from '@warden/contracts/incidents';
import type { AlertDraft } from './types.js';

/** The `warden.alerts.v1` record for an alert draft. */
export function toAlertV1(a: AlertDraft): AlertV1 {
  return { ...a, windowStart: new Date(a.windowStart).toISOString(), observedAt: new Date(a.observedAt).toISOString() };
}

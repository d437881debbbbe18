import { z } from 'zod';
import type { AlertRule } from '@warden/contracts/incidents';
import { stableId } from '../detection/dedup.js';
import { incidentSeverity, type IncidentSeverity } from './severity.js';

export const correlationConfigSchema = z.strictObject({
  /** An alert joins an open incident of its segment and rule when it comes within this long of the incident's last alert. */
  windowSeconds: z.int().min(60).max(7 * 86_400).default(1800),
});
export type CorrelationConfig = z.output<typeof correlationConfigSchema>;

/** What the correlator reads from an alert. */
export interface CorrelationAlert {
  id: string;
  dedupKey: string;
  rule: AlertRule;
  severity: IncidentSeverity;
  deviceId: string | null;
  segmentId: string | null;
  /** Epoch ms. */
  observedAt: number;
}

/** The correlator's memory of an incident it may still attach alerts to. */
export interface OpenIncident {
  incidentId: string;
  key: string;
  rule: AlertRule;
  segmentId: string | null;
  firstAt: number;
  lastAt: number;
  alertCount: number;
  deviceIds: string[];
  criticalDeviceIds: string[];
  severity: IncidentSeverity;
}

/** Plain JSON; stored by the correlator next to its consumer offsets. */
export interface CorrelationState {
  v: 1;
  open: Record<string, OpenIncident>;
  /** Alert ids already applied, with when they may be forgotten: a redelivered alert is a no-op. */
  seen: Record<string, number>;
}

export const initialCorrelationState = (): CorrelationState => ({ v: 1, open: {}, seen: {} });

export type CorrelationDecision =
  | { kind: 'CREATED'; incident: OpenIncident }
  | { kind: 'ATTACHED'; incident: OpenIncident; severityRaised: boolean; newDevice: boolean }
  | { kind: 'DUPLICATE'; incidentId: string | null };

/** Alerts of one segment group by segment and rule; an alert with no segment groups by its device. */
export function correlationKey(a: Pick<CorrelationAlert, 'rule' | 'segmentId' | 'deviceId'>): string {
  return a.segmentId ? `segment:${a.segmentId}:${a.rule}` : `device:${a.deviceId ?? 'none'}:${a.rule}`;
}

/**
 * Groups an alert into an incident: the open incident with its segment and rule if the alert is
 * within the window of its last alert, else a new incident. The incident id derives from the
 * first alert, so reprocessing after a crash creates the same incident, not a second one.
 * `isCritical` tells whether a device's criticality is HIGH or CRITICAL.
 */
export function correlateAlert(
  state: CorrelationState,
  alert: CorrelationAlert,
  config: CorrelationConfig,
  isCritical: (deviceId: string) => boolean = () => false,
): { state: CorrelationState; decision: CorrelationDecision } {
  const windowMs = config.windowSeconds * 1000;
  const now = alert.observedAt;
  const seen: Record<string, number> = {};
  for (const [id, until] of Object.entries(state.seen)) if (until > now) seen[id] = until;
  const open: Record<string, OpenIncident> = {};
  for (const [k, inc] of Object.entries(state.open)) if (inc.lastAt > now - windowMs) open[k] = inc;

  const key = correlationKey(alert);
  if (state.seen[alert.id] !== undefined) {
    return { state: { v: 1, open, seen }, decision: { kind: 'DUPLICATE', incidentId: state.open[key]?.incidentId ?? null } };
  }
  seen[alert.id] = now + 2 * windowMs;
  const device = alert.deviceId;
  const critical = device !== null && isCritical(device);
  const existing = open[key];
  if (!existing) {
    const incident: OpenIncident = {
      incidentId: stableId(`incident:${key}:${alert.dedupKey}`),
      key,
      rule: alert.rule,
      segmentId: alert.segmentId,
      firstAt: now,
      lastAt: now,
      alertCount: 1,
      deviceIds: device ? [device] : [],
      criticalDeviceIds: critical ? [device] : [],
      severity: incidentSeverity({ alertSeverities: [alert.severity], deviceCount: device ? 1 : 0, criticalDeviceCount: critical ? 1 : 0 }),
    };
    open[key] = incident;
    return { state: { v: 1, open, seen }, decision: { kind: 'CREATED', incident } };
  }
  const newDevice = device !== null && !existing.deviceIds.includes(device);
  const deviceIds = newDevice ? [...existing.deviceIds, device] : existing.deviceIds;
  const criticalDeviceIds = critical && newDevice ? [...existing.criticalDeviceIds, device] : existing.criticalDeviceIds;
  const severity = incidentSeverity({
    alertSeverities: [alert.severity],
    deviceCount: deviceIds.length,
    criticalDeviceCount: criticalDeviceIds.length,
    current: existing.severity,
  });
  const incident: OpenIncident = {
    ...existing,
    lastAt: Math.max(existing.lastAt, now),
    alertCount: existing.alertCount + 1,
    deviceIds,
    criticalDeviceIds,
    severity,
  };
  open[key] = incident;
  return {
    state: { v: 1, open, seen },
    decision: { kind: 'ATTACHED', incident, severityRaised: severity !== existing.severity, newDevice },
  };
}

/** Stops attaching alerts to an incident (it was closed or merged): the next alert opens a new one. */
export function forgetIncident(state: CorrelationState, incidentId: string): CorrelationState {
  return { ...state, open: Object.fromEntries(Object.entries(state.open).filter(([, i]) => i.incidentId !== incidentId)) };
}

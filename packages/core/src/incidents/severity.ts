import { ALERT_SEVERITIES, type AlertSeverity } from '@warden/contracts/incidents';

export type IncidentSeverity = AlertSeverity;
export const INCIDENT_SEVERITIES = ALERT_SEVERITIES;

export function severityRank(s: IncidentSeverity): number {
  return INCIDENT_SEVERITIES.indexOf(s);
}

export function maxSeverity(...values: IncidentSeverity[]): IncidentSeverity {
  return values.reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a), 'LOW');
}

export interface SeverityInputs {
  /** Severities of the incident's alerts. */
  alertSeverities: IncidentSeverity[];
  /** Distinct devices involved. */
  deviceCount: number;
  /** Devices involved whose criticality is HIGH or CRITICAL (badge readers, cameras...). */
  criticalDeviceCount: number;
  /** The incident's current severity: an open incident's severity never goes down by itself. */
  current?: IncidentSeverity | undefined;
}

/**
 * An incident's severity: its worst alert, one step up when 3 or more devices are involved (two
 * when 10 or more: it is spreading), one step up when a critical device is involved; capped at
 * CRITICAL and never below the current value.
 */
export function incidentSeverity(i: SeverityInputs): IncidentSeverity {
  let rank = severityRank(maxSeverity(...i.alertSeverities));
  if (i.deviceCount >= 10) rank += 2;
  else if (i.deviceCount >= 3) rank += 1;
  if (i.criticalDeviceCount > 0) rank += 1;
  const computed = INCIDENT_SEVERITIES[Math.min(rank, INCIDENT_SEVERITIES.length - 1)]!;
  return i.current ? maxSeverity(computed, i.current) : computed;
}

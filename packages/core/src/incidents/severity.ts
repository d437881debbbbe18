import { ALERT_SEVERITIES, type AlertSeverity } from '@warden/contracts/incidents';

export type Severity = AlertSeverity;
export const SEVERITIES = ALERT_SEVERITIES;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(...values: Severity[]): Severity {
  return values.reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a), 'LOW');
}

export interface SeverityInputs {
  /** Severities of the incident's alerts. */
  alertSeverities: Severity[];
  /** Distinct devices involved. */
  deviceCount: number;
  /** Devices involved whose criticality is HIGH or CRITICAL (badge readers, cameras...). */
  criticalDeviceCount: number;
  /** The incident's current severity: an open incident's severity never goes down by itself. */
  current?: Severity | undefined;
}

/**
 * An incident's severity: its worst alert, one step up when 3 or more devices are involved (two
 * when 10 or more: it is spreading), one step up when a critical device is involved; capped at
 * CRITICAL and never below the current value.
 */
export function incidentSeverity(i: SeverityInputs): Severity {
  let rank = severityRank(maxSeverity(...i.alertSeverities));
  if (i.deviceCount >= 10) rank += 2;
  else if (i.deviceCount >= 3) rank += 1;
  if (i.criticalDeviceCount > 0) rank += 1;
  const computed = SEVERITIES[Math.min(rank, SEVERITIES.length - 1)]!;
  return i.current ? maxSeverity(computed, i.current) : computed;
}

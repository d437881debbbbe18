/** One line of an incident's timeline: alerts, status changes, actions, notes, who did what. */
export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  type: 'ALERT' | 'STATUS' | 'SEVERITY' | 'ASSIGNMENT' | 'NOTE' | 'CONTAINMENT' | 'PLAYBOOK' | 'ROLLOUT';
  /** `user:<id>`, `apikey:<id>`, `playbook-run:<id>` or `system:<component>`. */
  actor: string;
  summary: string;
  data: Record<string, unknown>;
}

/** What the correlator writes to an incident's timeline for an alert it attached. */
export function alertTimelineEntry(alert: { id: string; rule: string; severity: string; summary: string; deviceId: string | null; observedAt: number }): TimelineEntry {
  return {
    at: alert.observedAt,
    type: 'ALERT',
    actor: 'system:detection',
    summary: `${alert.rule} (${alert.severity}): ${alert.summary}`,
    data: { alertId: alert.id, rule: alert.rule, severity: alert.severity, deviceId: alert.deviceId },
  };
}

/** The entry for a severity the correlator raised. */
export function severityTimelineEntry(from: string, to: string, at: number, why: string): TimelineEntry {
  return { at, type: 'SEVERITY', actor: 'system:correlator', summary: `severity ${from} → ${to}: ${why}`, data: { from, to } };
}

import { describe, expect, it } from 'vitest';
import { correlateAlert, correlationConfigSchema, forgetIncident, initialCorrelationState, type CorrelationAlert, type CorrelationDecision, type CorrelationState } from './correlate.js';
import { incidentSeverity } from './severity.js';
import { alertTimelineEntry } from './timeline.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const config = correlationConfigSchema.parse({}); // 30 min
let n = 0;
const alert = (over: Partial<CorrelationAlert> = {}): CorrelationAlert => {
  n++;
  return { id: `a${n}`, dedupKey: `k${n}`, rule: 'WORM_FAN_OUT', severity: 'HIGH', deviceId: 'd1', segmentId: 's1', observedAt: T0, ...over };
};

function feed(alerts: CorrelationAlert[], isCritical?: (id: string) => boolean, start = initialCorrelationState()) {
  let state: CorrelationState = start;
  const decisions: CorrelationDecision[] = [];
  for (const a of alerts) {
    const r = correlateAlert(state, a, config, isCritical);
    state = JSON.parse(JSON.stringify(r.state));
    decisions.push(r.decision);
  }
  return { state, decisions };
}

describe('alert correlation', () => {
  it('groups alerts of one segment and rule within the window into one incident', () => {
    const { decisions } = feed([alert(), alert({ deviceId: 'd2', observedAt: T0 + 60_000 }), alert({ deviceId: 'd3', observedAt: T0 + 25 * 60_000 })]);
    expect(decisions.map((d) => d.kind)).toEqual(['CREATED', 'ATTACHED', 'ATTACHED']);
    const last = decisions[2] as Extract<CorrelationDecision, { kind: 'ATTACHED' }>;
    expect(last.incident).toMatchObject({ alertCount: 3, deviceIds: ['d1', 'd2', 'd3'], severity: 'CRITICAL' });
    expect(last.severityRaised).toBe(true);
  });

  it('opens separate incidents for another segment, another rule, or after a quiet window', () => {
    const { decisions } = feed([
      alert(),
      alert({ segmentId: 's2' }),
      alert({ rule: 'THREAT_INTEL_DESTINATION' }),
      alert({ observedAt: T0 + 31 * 60_000 }),
    ]);
    expect(decisions.map((d) => d.kind)).toEqual(['CREATED', 'CREATED', 'CREATED', 'CREATED']);
    const ids = decisions.map((d) => (d.kind === 'CREATED' ? d.incident.incidentId : ''));
    expect(new Set(ids).size).toBe(4);
  });

  it('applies a redelivered alert once', () => {
    const a = alert();
    const { decisions, state } = feed([a, alert({ observedAt: T0 + 1000 }), a]);
    expect(decisions.map((d) => d.kind)).toEqual(['CREATED', 'ATTACHED', 'DUPLICATE']);
    expect(Object.values(state.open)[0]!.alertCount).toBe(2);
  });

  it('derives the incident id from the first alert, so a replay from empty state creates the same incident', () => {
    const a = alert();
    const first = feed([a]).decisions[0]!;
    const again = feed([a]).decisions[0]!;
    expect(first.kind === 'CREATED' && again.kind === 'CREATED' && first.incident.incidentId === again.incident.incidentId).toBe(true);
  });

  it('groups segment-less alerts by device', () => {
    const { decisions } = feed([alert({ segmentId: null }), alert({ segmentId: null }), alert({ segmentId: null, deviceId: 'd9' })]);
    expect(decisions.map((d) => d.kind)).toEqual(['CREATED', 'ATTACHED', 'CREATED']);
  });

  it('starts a new incident after the open one is closed', () => {
    const { state, decisions } = feed([alert()]);
    const id = decisions[0]!.kind === 'CREATED' ? decisions[0]!.incident.incidentId : '';
    const next = feed([alert({ observedAt: T0 + 1000 })], undefined, forgetIncident(state, id)).decisions[0]!;
    expect(next.kind).toBe('CREATED');
  });

  it('raises severity for critical devices and never lowers it', () => {
    const { decisions } = feed([alert({ severity: 'MEDIUM', deviceId: 'badge-1' }), alert({ severity: 'LOW', deviceId: 'badge-1' })], (id) => id.startsWith('badge'));
    expect(decisions.map((d) => (d.kind === 'DUPLICATE' ? null : d.incident.severity))).toEqual(['HIGH', 'HIGH']);
  });
});

describe('incident severity', () => {
  it('takes the worst alert and escalates with spread and critical devices', () => {
    expect(incidentSeverity({ alertSeverities: ['LOW', 'MEDIUM'], deviceCount: 1, criticalDeviceCount: 0 })).toBe('MEDIUM');
    expect(incidentSeverity({ alertSeverities: ['MEDIUM'], deviceCount: 3, criticalDeviceCount: 0 })).toBe('HIGH');
    expect(incidentSeverity({ alertSeverities: ['LOW'], deviceCount: 12, criticalDeviceCount: 0 })).toBe('HIGH');
    expect(incidentSeverity({ alertSeverities: ['LOW'], deviceCount: 12, criticalDeviceCount: 1 })).toBe('CRITICAL');
    expect(incidentSeverity({ alertSeverities: ['HIGH'], deviceCount: 50, criticalDeviceCount: 5 })).toBe('CRITICAL');
    expect(incidentSeverity({ alertSeverities: ['LOW'], deviceCount: 1, criticalDeviceCount: 0, current: 'HIGH' })).toBe('HIGH');
  });
});

describe('incident timeline', () => {
  it('records an attached alert with what, where and when', () => {
    const a = alert({ deviceId: 'd7' });
    expect(alertTimelineEntry({ ...a, summary: 'contacted 12 internal peers' })).toEqual({
      at: T0,
      type: 'ALERT',
      actor: 'system:detection',
      summary: 'WORM_FAN_OUT (HIGH): contacted 12 internal peers',
      data: { alertId: a.id, rule: 'WORM_FAN_OUT', severity: 'HIGH', deviceId: 'd7' },
    });
  });
});

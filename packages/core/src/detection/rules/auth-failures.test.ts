import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0, device, message } from '../test-fixtures.js';
import type { AlertDraft, DetectionSecurityEvent } from '../types.js';
import { evaluateAuthFailures, initialAuthFailureState } from './auth-failures.js';

const cfg = DEFAULT_DETECTION_CONFIG.authFailures; // 20 in 300 s
const fail = (count: number): DetectionSecurityEvent => ({ type: 'AUTH_FAILURE', count });

function feed(steps: { at: number; events: DetectionSecurityEvent[] }[]) {
  let state = initialAuthFailureState();
  const alerts: AlertDraft[] = [];
  steps.forEach((s, i) => {
    const r = evaluateAuthFailures(state, message(i, T0 + s.at, { events: s.events }), device(), cfg);
    state = r.state;
    alerts.push(...r.alerts);
  });
  return { state, alerts };
}

describe('authentication-failure bursts', () => {
  it('fires when failures reach the threshold within the window, counting aggregated events', () => {
    const { alerts } = feed([
      { at: 0, events: [fail(5)] },
      { at: 60_000, events: [fail(10)] },
      { at: 120_000, events: [fail(5), { type: 'AUTH_SUCCESS', count: 3 }] },
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'AUTH_FAILURE_BURST', evidence: { failures: 20 } });
  });

  it('does not fire for the same number of failures spread over more than the window (a user mistyping now and then)', () => {
    const steps = Array.from({ length: 40 }, (_, i) => ({ at: i * 60_000, events: [fail(1)] }));
    expect(feed(steps).alerts).toEqual([]);
  });

  it('does not fire on successes or other events', () => {
    expect(feed([{ at: 0, events: [{ type: 'AUTH_SUCCESS', count: 500 }, { type: 'REBOOT', count: 30 }] }]).alerts).toEqual([]);
  });

  it('does not fire on a message without failures even while the window total is high', () => {
    const { state } = feed([{ at: 0, events: [fail(25)] }]);
    expect(evaluateAuthFailures(state, message(9, T0 + 1000), device(), cfg).alerts).toEqual([]);
  });

  it('keeps state bounded without losing the window total', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => ({ at: i * 100, events: [fail(1)] }));
    const { state, alerts } = feed(steps);
    expect(state.hits.length).toBeLessThanOrEqual(256);
    expect(state.hits.reduce((n, [, c]) => n + c, 0)).toBe(1000);
    expect(alerts.at(-1)!.evidence.failures).toBe(1000);
  });
});

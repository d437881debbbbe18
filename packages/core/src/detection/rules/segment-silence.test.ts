import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0 } from '../test-fixtures.js';
import type { AlertDraft } from '../types.js';
import { evaluateSegmentSilenceRule, initialSegmentSilenceState, type SegmentLivenessSnapshot } from './segment-silence.js';

const cfg = DEFAULT_DETECTION_CONFIG.segmentSilence; // 30 % and at least 5 devices within 120 s
const SEG = '00000000-0000-4000-8000-000000000051';

/** What a sweep at `T0 + at` reads: `offline` of `population` devices gone within the window, the fleet still heard. */
const seen = (offline: number, population: number, at = 0, over: Partial<SegmentLivenessSnapshot> = {}): SegmentLivenessSnapshot => ({
  segmentId: SEG,
  population,
  wentOffline: offline,
  devices: Array.from({ length: offline }, (_, i) => `dev-${i}`),
  fleetLastHeardAt: T0 + at - 2_000,
  at: T0 + at,
  ...over,
});

function sweeps(snapshots: SegmentLivenessSnapshot[], config = cfg) {
  let state = initialSegmentSilenceState();
  const alerts: AlertDraft[] = [];
  for (const s of snapshots) {
    const r = evaluateSegmentSilenceRule(JSON.parse(JSON.stringify(state)), s, config);
    state = r.state;
    alerts.push(...r.alerts);
  }
  return { state, alerts };
}

describe('a large share of a segment going silent at once', () => {
  it('fires when 6 of 20 devices went offline within the window', () => {
    const { alerts } = sweeps([seen(2, 20, 0), seen(6, 20, 15_000)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'SEGMENT_SILENCE',
      severity: 'HIGH',
      deviceId: null,
      segmentId: SEG,
      observedAt: T0 + 15_000,
      evidence: { offline: 6, population: 20, share: 0.3, devices: ['dev-0', 'dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5'] },
    });
  });

  it('raises one alert for an outage that keeps growing over many sweeps', () => {
    const growing = Array.from({ length: 40 }, (_, i) => seen(Math.min(6 + i, 20), 20, i * 15_000));
    expect(sweeps(growing).alerts).toHaveLength(1);
  });

  it('raises again for a new outage after the segment had been quiet for longer than the window', () => {
    const { alerts } = sweeps([seen(8, 20, 0), seen(9, 20, 15_000), seen(1, 20, 600_000), seen(7, 20, 3_600_000)]);
    expect(alerts.map((a) => a.observedAt)).toEqual([T0, T0 + 3_600_000]);
    expect(alerts[0]!.dedupKey).not.toBe(alerts[1]!.dedupKey);
  });

  it('does not fire for devices dropping one by one (each sweep sees few within the window)', () => {
    expect(sweeps(Array.from({ length: 10 }, (_, i) => seen(1, 20, i * 600_000))).alerts).toEqual([]);
  });

  it('does not fire on a small segment below the absolute minimum, or a big one below the share', () => {
    expect(sweeps([seen(4, 4)]).alerts).toEqual([]);
    expect(sweeps([seen(20, 100)]).alerts).toEqual([]);
  });

  it('stays quiet when the whole fleet went unheard within the window (the pipeline stalled, not the segment)', () => {
    expect(sweeps([seen(20, 20, 0, { fleetLastHeardAt: T0 - 300_000 })]).alerts).toEqual([]);
    expect(sweeps([seen(20, 20, 0, { fleetLastHeardAt: null })]).alerts).toEqual([]);
  });

  it('follows the configuration: disabled, or a lower share and minimum', () => {
    expect(sweeps([seen(10, 10)], { ...cfg, enabled: false }).alerts).toEqual([]);
    expect(sweeps([seen(2, 10)], { ...cfg, share: 0.2, minDevices: 2 }).alerts).toHaveLength(1);
  });
});

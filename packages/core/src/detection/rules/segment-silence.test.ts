import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0 } from '../test-fixtures.js';
import type { AlertDraft } from '../types.js';
import { evaluateSegmentSilenceRule, initialSegmentSilenceState, type LivenessEvent } from './segment-silence.js';

const cfg = DEFAULT_DETECTION_CONFIG.segmentSilence; // 30 % and at least 5 devices within 120 s
const SEG = '00000000-0000-4000-8000-000000000051';
const off = (n: number, at: number): LivenessEvent => ({ type: 'OFFLINE', deviceId: `dev-${n}`, segmentId: SEG, at: T0 + at });
const on = (n: number, at: number): LivenessEvent => ({ type: 'ONLINE', deviceId: `dev-${n}`, segmentId: SEG, at: T0 + at });

function feed(events: LivenessEvent[], size: number) {
  let state = initialSegmentSilenceState();
  const alerts: AlertDraft[] = [];
  for (const e of events) {
    const r = evaluateSegmentSilenceRule(state, e, size, cfg);
    state = r.state;
    alerts.push(...r.alerts);
  }
  return { state, alerts };
}

describe('a large share of a segment going silent at once', () => {
  it('fires when 6 of 20 devices drop within two minutes', () => {
    const { alerts } = feed(Array.from({ length: 6 }, (_, i) => off(i, i * 10_000)), 20);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'SEGMENT_SILENCE', deviceId: null, segmentId: SEG, evidence: { offline: 6, segmentSize: 20 } });
  });

  it('does not fire for the same devices dropping one by one over an afternoon', () => {
    expect(feed(Array.from({ length: 10 }, (_, i) => off(i, i * 600_000)), 20).alerts).toEqual([]);
  });

  it('does not fire on a small segment below the absolute minimum, or a big one below the share', () => {
    expect(feed(Array.from({ length: 4 }, (_, i) => off(i, i)), 4).alerts).toEqual([]);
    expect(feed(Array.from({ length: 20 }, (_, i) => off(i, i)), 100).alerts).toEqual([]);
  });

  it('does not count devices that came back (a flapping access point)', () => {
    const events = [off(1, 0), on(1, 1000), off(2, 2000), on(2, 3000), off(3, 4000), off(4, 5000), off(5, 6000), off(6, 7000)];
    expect(feed(events, 10).alerts).toEqual([]);
    expect(feed([...events, off(7, 8000)], 10).alerts).toHaveLength(1);
  });

  it('ignores devices without a segment', () => {
    expect(feed(Array.from({ length: 10 }, (_, i) => ({ ...off(i, i), segmentId: null })), 10).alerts).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0, device, flow, message } from '../test-fixtures.js';
import type { AlertDraft } from '../types.js';
import { evaluateTrafficBaseline, initialTrafficBaselineState } from './traffic-baseline.js';

const cfg = DEFAULT_DETECTION_CONFIG.trafficBaseline; // warm-up 30, 4σ, 5×, 50 kB/s floor

/** Feeds one message every 10 s carrying `bytes[i]` bytes; returns the alerts with the message index. */
function feed(bytes: number[], config = cfg) {
  let state = initialTrafficBaselineState();
  const fired: { i: number; alert: AlertDraft }[] = [];
  bytes.forEach((b, i) => {
    const r = evaluateTrafficBaseline(state, message(i, T0 + i * 10_000, { flows: [flow('10.0.0.2', 443, { bytes: b })] }), device(), config);
    state = r.state;
    for (const alert of r.alerts) fired.push({ i, alert });
  });
  return { state, fired };
}

// ~100 kB/s with some jitter.
const normal = (n: number) => Array.from({ length: n }, (_, i) => 1_000_000 + ((i * 7919) % 200_000));

describe('traffic far above the device baseline', () => {
  it('fires on a 20× spike once the baseline is warm', () => {
    const { fired } = feed([...normal(40), 20_000_000]);
    expect(fired.map((f) => f.i)).toEqual([40]);
    expect(fired[0]!.alert).toMatchObject({ rule: 'TRAFFIC_ANOMALY', severity: 'MEDIUM' });
    expect(fired[0]!.alert.evidence.bytesPerSecond).toBe(2_000_000);
  });

  it('does not fire for a new device during warm-up, however bursty', () => {
    const { fired } = feed([...normal(10), 50_000_000, ...normal(5)]);
    expect(fired).toEqual([]);
  });

  it('does not fire for ordinary jitter or a 2× busy period (false positives)', () => {
    const { fired } = feed([...normal(40), ...normal(10).map((b) => b * 2)]);
    expect(fired).toEqual([]);
  });

  it('does not fire for a near-silent sensor whose tiny traffic multiplies (absolute floor)', () => {
    const { fired } = feed([...Array.from({ length: 40 }, () => 1000), 100_000]);
    expect(fired).toEqual([]);
  });

  it('keeps firing through a sustained exfiltration instead of learning it as normal', () => {
    const { fired, state } = feed([...normal(40), ...Array.from({ length: 50 }, () => 30_000_000)]);
    expect(fired).toHaveLength(50);
    expect(state.mean).toBeLessThan(200_000);
  });

  it('accepts a level held for relearnAfterSamples as the new normal, then warms up again', () => {
    const config = { ...cfg, relearnAfterSamples: 20 };
    const { fired, state } = feed([...normal(40), ...Array.from({ length: 60 }, () => 30_000_000)], config);
    expect(fired.map((f) => f.i)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    expect(state.mean).toBeGreaterThan(2_000_000);
  });

  it('measures a rate: the same bytes over a longer gap is not a spike', () => {
    let state = feed(normal(40)).state;
    const r = evaluateTrafficBaseline(state, message(99, state.lastTs! + 600_000, { flows: [flow('10.0.0.2', 443, { bytes: 20_000_000 })] }), device(), cfg);
    expect(r.alerts).toEqual([]);
    state = r.state;
    expect(state.samples).toBe(40);
    expect(state.mean).toBeLessThan(300_000);
  });

  it('ignores an out-of-order message', () => {
    const { state } = feed(normal(40));
    const r = evaluateTrafficBaseline(state, message(99, state.lastTs! - 5000, { flows: [flow('10.0.0.2', 443, { bytes: 90_000_000 })] }), device(), cfg);
    expect(r.alerts).toEqual([]);
    expect(r.state.samples).toBe(state.samples);
  });
});

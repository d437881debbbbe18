import { describe, expect, it } from 'vitest';
import { alertSchema } from '@warden/contracts/incidents';
import { DEFAULT_DETECTION_CONFIG, parseDetectionConfig } from './config.js';
import { compileDetection, detectLiveness, detectTelemetry, type DeviceDetectionState, type SegmentDetectionState } from './engine.js';
import { toAlertV1 } from './alert-contract.js';
import { T0, device, flow, message } from './test-fixtures.js';
import type { AlertDraft, DetectionEvent } from './types.js';

const detection = compileDetection(DEFAULT_DETECTION_CONFIG, [{ id: 'c2', value: '198.51.100.0/24' }]);
const ctx = { device: device(), detection, artifactHashes: () => null };
const scanMessage = (seq: number, ts: number, from = 1) =>
  message(seq, ts, { flows: Array.from({ length: 12 }, (_, i) => flow(`10.0.${seq}.${from + i}`, 23)) });

function run(events: DetectionEvent[], start?: DeviceDetectionState) {
  let state = start;
  const alerts: AlertDraft[] = [];
  for (const e of events) {
    const r = detectTelemetry(state, e, ctx);
    state = r.state;
    alerts.push(...r.alerts);
  }
  return { state: state!, alerts };
}

describe('detection engine', () => {
  it('raises an ongoing scan once per window, not once per message', () => {
    const events = Array.from({ length: 6 }, (_, i) => scanMessage(i, T0 + i * 5000));
    const { alerts } = run(events);
    expect(alerts.filter((a) => a.rule === 'WORM_FAN_OUT')).toHaveLength(1);
    const later = run([...events, scanMessage(7, T0 + 120_000), scanMessage(8, T0 + 125_000)]).alerts;
    expect(later.filter((a) => a.rule === 'WORM_FAN_OUT')).toHaveLength(2);
  });

  it('runs several rules on one message', () => {
    const m = message(1, T0, { flows: [...scanMessage(1, T0).flows, flow('198.51.100.9', 6667)], events: [{ type: 'AUTH_FAILURE', count: 50 }] });
    expect(run([m]).alerts.map((a) => a.rule).sort()).toEqual(['AUTH_FAILURE_BURST', 'THREAT_INTEL_DESTINATION', 'WORM_FAN_OUT']);
  });

  it('ignores a redelivered message: neither state nor alerts change', () => {
    const first = run([scanMessage(1, T0)]);
    const again = detectTelemetry(first.state, scanMessage(1, T0), ctx);
    expect(again.alerts).toEqual([]);
    expect(again.state).toEqual(first.state);
  });

  it('survives a restart: state through JSON gives exactly the alerts of an uninterrupted run', () => {
    const events = [
      ...Array.from({ length: 40 }, (_, i) => message(i, T0 + i * 10_000, { flows: [flow('10.0.0.2', 443, { bytes: 1_000_000 + (i % 5) * 10_000 })] })),
      scanMessage(40, T0 + 400_000),
      message(41, T0 + 410_000, { flows: [flow('10.0.0.2', 443, { bytes: 50_000_000 })], events: [{ type: 'AUTH_FAILURE', count: 30 }] }),
      scanMessage(42, T0 + 405_000, 100),
    ];
    const whole = run(events);
    const cut = 41;
    const before = run(events.slice(0, cut));
    const restored = JSON.parse(JSON.stringify(before.state)) as DeviceDetectionState;
    const after = run(events.slice(cut), restored);
    expect([...before.alerts, ...after.alerts]).toEqual(whole.alerts);
    expect(after.state).toEqual(whole.state);
    expect(whole.alerts.map((a) => a.rule)).toEqual(['WORM_FAN_OUT', 'TRAFFIC_ANOMALY', 'AUTH_FAILURE_BURST']);
  });

  it('after a crash before its state was saved, a replay raises the same alert ids (stored once downstream)', () => {
    const saved = run([message(0, T0 - 1000)]).state;
    const published = run([scanMessage(1, T0), scanMessage(2, T0 + 1000)], saved).alerts;
    const replayed = run([scanMessage(1, T0), scanMessage(2, T0 + 1000)], JSON.parse(JSON.stringify(saved))).alerts;
    expect(published).toHaveLength(1);
    expect(replayed.map((a) => [a.id, a.dedupKey])).toEqual(published.map((a) => [a.id, a.dedupKey]));
  });

  it('forgets raised keys once their window is over (state does not grow forever)', () => {
    const { state } = run([scanMessage(1, T0), message(2, T0 + 3 * 86_400_000)]);
    expect(Object.keys(state.raised)).toEqual([]);
  });

  it('produces records that satisfy the alerts.v1 contract', () => {
    for (const a of run([scanMessage(1, T0)]).alerts) expect(alertSchema.parse(toAlertV1(a))).toMatchObject({ rule: 'WORM_FAN_OUT' });
  });

  it('raises a segment going silent once per outage, across sweeps and a restart in between', () => {
    let state: SegmentDetectionState | undefined;
    const alerts: AlertDraft[] = [];
    for (let i = 0; i < 10; i++) {
      const at = T0 + i * 15_000;
      const r = detectLiveness(state, { segmentId: 's1', population: 12, wentOffline: 5 + (i % 3), devices: [], fleetLastHeardAt: at - 1000, at }, DEFAULT_DETECTION_CONFIG);
      state = JSON.parse(JSON.stringify(r.state)) as SegmentDetectionState;
      alerts.push(...r.alerts);
    }
    expect(alerts.map((a) => [a.rule, a.segmentId])).toEqual([['SEGMENT_SILENCE', 's1']]);
  });
});

describe('detection configuration', () => {
  it('fills every default from {}', () => {
    expect(parseDetectionConfig({}).fanOut).toEqual({ enabled: true, windowSeconds: 60, distinctPeers: 10, ports: [23, 2323, 22, 445, 1900, 5555] });
  });

  it('names the bad field and refuses unknown ones', () => {
    expect(() => parseDetectionConfig({ authFailures: { threshold: 0 } })).toThrow(/authFailures\.threshold/);
    expect(() => parseDetectionConfig({ fanOut: { distinctPeer: 5 } })).toThrow(/fanOut.*distinctPeer/);
    expect(() => parseDetectionConfig({ internalCidrs: ['10.0.0.0/33'] })).toThrow(/internalCidrs\.0: must be an IP address or a CIDR/);
    try {
      parseDetectionConfig({ segmentSilence: { share: 2 } });
    } catch (e) {
      expect(e).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentSilence.share' });
    }
  });
});

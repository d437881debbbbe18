import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { AlertDraft, DetectionEvent, DeviceFacts, RuleResult } from '../types.js';

/** An exponentially weighted mean and variance of the device's traffic rate (bytes/s). */
export interface TrafficBaselineState {
  mean: number;
  variance: number;
  samples: number;
  /** Consecutive anomalous samples so far. */
  anomalousRun: number;
  /** Time of the previous message (epoch ms), to turn bytes into a rate; null before the first. */
  lastTs: number | null;
}

export const initialTrafficBaselineState = (): TrafficBaselineState => ({ mean: 0, variance: 0, samples: 0, anomalousRun: 0, lastTs: null });

/**
 * Traffic far above the device's own baseline. The rate is the bytes of the message's flows over
 * the time since the previous message. A device fires only after `warmupSamples` (a new device has
 * no baseline), and only when the rate clears three bars: k standard deviations, a ratio of the
 * mean, and an absolute floor. Anomalous samples do not move the baseline, so a sustained attack
 * keeps firing; a level held for `relearnAfterSamples` in a row becomes the new normal (the
 * baseline restarts from it, with a new warm-up).
 */
export function evaluateTrafficBaseline(
  state: TrafficBaselineState,
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['trafficBaseline'],
): RuleResult<TrafficBaselineState> {
  if (!config.enabled) return { state, alerts: [] };
  if (state.lastTs === null || event.ts <= state.lastTs) {
    return { state: { ...state, lastTs: Math.max(event.ts, state.lastTs ?? event.ts) }, alerts: [] };
  }
  const bytes = event.flows.reduce((n, f) => n + f.bytes, 0);
  const rate = bytes / ((event.ts - state.lastTs) / 1000);
  const std = Math.sqrt(state.variance);
  const anomalous =
    state.samples >= config.warmupSamples &&
    rate > state.mean + config.stddevs * std &&
    rate >= config.minRatio * state.mean &&
    rate >= config.minBytesPerSecond;
  let mean: number;
  let variance: number;
  let samples = state.samples + 1;
  const anomalousRun = anomalous ? state.anomalousRun + 1 : 0;
  const relearn = anomalousRun >= config.relearnAfterSamples;
  if (anomalous && !relearn) {
    mean = state.mean;
    variance = state.variance;
    samples = state.samples;
  } else if (state.samples === 0 || relearn) {
    mean = rate;
    variance = 0;
  } else {
    const diff = rate - state.mean;
    const incr = config.alpha * diff;
    mean = state.mean + incr;
    variance = (1 - config.alpha) * (state.variance + diff * incr);
  }
  if (relearn) samples = 1;
  const next: TrafficBaselineState = { mean, variance, samples, anomalousRun: relearn ? 0 : anomalousRun, lastTs: event.ts };
  if (!anomalous) return { state: next, alerts: [] };
  const windowMs = config.realertSeconds * 1000;
  const bucket = windowBucket(event.ts, windowMs);
  const key = dedupKey('TRAFFIC_ANOMALY', `device:${device.id}`, bucket);
  const alert: AlertDraft = {
    id: stableId(key),
    dedupKey: key,
    rule: 'TRAFFIC_ANOMALY',
    severity: 'MEDIUM',
    deviceId: device.id,
    segmentId: device.segmentId,
    summary: `traffic ${Math.round(rate)} B/s is ${(rate / Math.max(state.mean, 1)).toFixed(1)}× its baseline of ${Math.round(state.mean)} B/s`,
    evidence: { bytesPerSecond: rate, baselineMean: state.mean, baselineStddev: std, samples: state.samples },
    windowStart: state.lastTs,
    observedAt: event.ts,
  };
  return { state: next, alerts: [alert] };
}

import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { AlertDraft, RuleResult } from '../types.js';

/**
 * One segment's liveness as the liveness sweep sees it, right after it marked some of the
 * segment's devices OFFLINE (read from `device_state`, so a device that came back no longer
 * counts, and a restart or a second stream processor sees the same numbers).
 */
export interface SegmentLivenessSnapshot {
  segmentId: string;
  /**
   * Devices that were online when the window began: online now, or gone offline within the
   * window. Devices dead for longer do not dilute the share.
   */
  population: number;
  /** Of those, the ones that went offline within the window and are still offline. */
  wentOffline: number;
  /** Some of their ids, for the evidence. */
  devices: string[];
  /** The newest report received from any device of the fleet (epoch ms), or null if none ever reported. */
  fleetLastHeardAt: number | null;
  /** The sweep's clock (epoch ms). */
  at: number;
}

export interface SegmentSilenceState {
  /** The last time the segment was seen over the threshold (epoch ms): an outage in progress. */
  lastOverAt: number | null;
}

export const initialSegmentSilenceState = (): SegmentSilenceState => ({ lastOverAt: null });

/**
 * A large share of a segment went offline at once (a worm bricking devices, a wiper, a cut
 * switch). Fires when both the share of the segment's devices and an absolute minimum went
 * offline within the window, once per outage: while later sweeps keep finding the segment over
 * the threshold (each within a window of the last), it is the same outage. Stays quiet when
 * nothing at all was heard from the fleet within the window: that is Warden's own telemetry
 * pipeline stalling, not the segment.
 */
export function evaluateSegmentSilenceRule(
  state: SegmentSilenceState,
  s: SegmentLivenessSnapshot,
  config: DetectionConfig['segmentSilence'],
): RuleResult<SegmentSilenceState> {
  const windowMs = config.windowSeconds * 1000;
  const share = s.population > 0 ? s.wentOffline / s.population : 0;
  if (!config.enabled || s.wentOffline < config.minDevices || share < config.share) return { state, alerts: [] };
  if (s.fleetLastHeardAt === null || s.at - s.fleetLastHeardAt > windowMs) return { state, alerts: [] };
  const ongoing = state.lastOverAt !== null && s.at - state.lastOverAt <= windowMs;
  const next: SegmentSilenceState = { lastOverAt: s.at };
  if (ongoing) return { state: next, alerts: [] };
  // A new outage starts more than a window after the last sighting of the previous one, so it
  // always falls in a later bucket: the key is new, and a retried sweep finds the same one.
  const bucket = windowBucket(s.at, windowMs);
  const key = dedupKey('SEGMENT_SILENCE', `segment:${s.segmentId}`, bucket);
  const alert: AlertDraft = {
    id: stableId(key),
    dedupKey: key,
    rule: 'SEGMENT_SILENCE',
    severity: 'HIGH',
    deviceId: null,
    segmentId: s.segmentId,
    summary: `${s.wentOffline} of ${s.population} devices went offline within ${config.windowSeconds} s`,
    evidence: { offline: s.wentOffline, population: s.population, share, windowSeconds: config.windowSeconds, devices: s.devices.slice(0, 100) },
    windowStart: s.at - windowMs,
    observedAt: s.at,
  };
  return { state: next, alerts: [alert] };
}

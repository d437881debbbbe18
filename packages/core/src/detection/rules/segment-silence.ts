import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { AlertDraft, RuleResult } from '../types.js';

/** A device going offline or coming back, as the liveness tracker decides it (`warden.device-events.v1`). */
export interface LivenessEvent {
  type: 'ONLINE' | 'OFFLINE';
  deviceId: string;
  segmentId: string | null;
  /** Epoch ms. */
  at: number;
}

/** Devices of one segment that went offline within the window, with when (epoch ms). */
export interface SegmentSilenceState {
  offline: Record<string, number>;
}

export const initialSegmentSilenceState = (): SegmentSilenceState => ({ offline: {} });

/**
 * A large share of a segment went offline at once (a worm bricking devices, a wiper, a cut
 * switch). Fires when both the share of the segment's devices and an absolute minimum are met
 * within the window; a device that comes back stops counting.
 */
export function evaluateSegmentSilenceRule(
  state: SegmentSilenceState,
  event: LivenessEvent,
  segmentSize: number,
  config: DetectionConfig['segmentSilence'],
): RuleResult<SegmentSilenceState> {
  if (!config.enabled || event.segmentId === null) return { state, alerts: [] };
  const windowMs = config.windowSeconds * 1000;
  const offline: Record<string, number> = {};
  for (const [id, at] of Object.entries(state.offline)) if (at > event.at - windowMs) offline[id] = at;
  if (event.type === 'OFFLINE') offline[event.deviceId] = event.at;
  else delete offline[event.deviceId];
  const next = { offline };
  const count = Object.keys(offline).length;
  if (event.type !== 'OFFLINE' || segmentSize <= 0 || count < config.minDevices || count / segmentSize < config.share) {
    return { state: next, alerts: [] };
  }
  const key = dedupKey('SEGMENT_SILENCE', `segment:${event.segmentId}`, windowBucket(event.at, windowMs));
  const alert: AlertDraft = {
    id: stableId(key),
    dedupKey: key,
    rule: 'SEGMENT_SILENCE',
    severity: 'HIGH',
    deviceId: null,
    segmentId: event.segmentId,
    summary: `${count} of ${segmentSize} devices went offline within ${config.windowSeconds} s`,
    evidence: { offline: count, segmentSize, share: count / segmentSize, devices: Object.keys(offline).slice(0, 100) },
    windowStart: Math.min(...Object.values(offline)),
    observedAt: event.at,
  };
  return { state: next, alerts: [alert] };
}

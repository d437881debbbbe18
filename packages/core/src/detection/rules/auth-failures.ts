import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { AlertDraft, DetectionEvent, DeviceFacts, RuleResult } from '../types.js';

/** Authentication failures seen within the window: [epoch ms, count] pairs, oldest first. */
export interface AuthFailureState {
  hits: [number, number][];
}

export const initialAuthFailureState = (): AuthFailureState => ({ hits: [] });

const MAX_ENTRIES = 256;

/** A burst of authentication failures (brute force, credential stuffing) within a sliding window. */
export function evaluateAuthFailures(
  state: AuthFailureState,
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['authFailures'],
): RuleResult<AuthFailureState> {
  if (!config.enabled) return { state, alerts: [] };
  const windowMs = config.windowSeconds * 1000;
  const failures = event.events.reduce((n, e) => (e.type === 'AUTH_FAILURE' ? n + e.count : n), 0);
  // No failure now and none remembered: nothing to change (the common case).
  if (failures === 0 && state.hits.length === 0) return { state, alerts: [] };
  const hits = state.hits.filter(([at]) => at > event.ts - windowMs);
  if (failures > 0) {
    const last = hits[hits.length - 1];
    if (last && last[0] === event.ts) hits[hits.length - 1] = [last[0], last[1] + failures];
    else hits.push([event.ts, failures]);
  }
  // Bounded state: fold the two oldest entries together (the window's total is kept exactly).
  while (hits.length > MAX_ENTRIES) {
    const [a, b] = [hits[0]!, hits[1]!];
    hits.splice(0, 2, [b[0], a[1] + b[1]]);
  }
  const next = { hits };
  const total = hits.reduce((n, [, c]) => n + c, 0);
  if (failures === 0 || total < config.threshold) return { state: next, alerts: [] };
  const key = dedupKey('AUTH_FAILURE_BURST', `device:${device.id}`, windowBucket(event.ts, windowMs));
  const alert: AlertDraft = {
    id: stableId(key),
    dedupKey: key,
    rule: 'AUTH_FAILURE_BURST',
    severity: 'MEDIUM',
    deviceId: device.id,
    segmentId: device.segmentId,
    summary: `${total} authentication failures within ${config.windowSeconds} s`,
    evidence: { failures: total, threshold: config.threshold },
    windowStart: hits[0]![0],
    observedAt: event.ts,
  };
  return { state: next, alerts: [alert] };
}

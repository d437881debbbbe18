import type { AlertV1 } from '@warden/contracts/incidents';
import { detectLiveness, type AlertDraft, type CorrelationConfig, type DetectionConfig, type SegmentDetectionState } from '@warden/core';
import {
  lockSegmentDetectionStates,
  saveSegmentDetectionStates,
  segmentLivenessSnapshot,
  type SqlClient,
  type WentOffline,
} from '@warden/db';
import { storeAlerts, type DetectionNotice } from './store-alerts.js';

export interface DetectSilenceDeps {
  config: DetectionConfig;
  correlation: CorrelationConfig;
  publishAlerts(alerts: AlertV1[]): Promise<void>;
}

/**
 * Segment-wide detection for one chunk of the liveness sweep, inside its transaction: for the
 * segments whose devices it just marked OFFLINE, locks their detection state (segment id order,
 * so concurrent sweeps of one segment take turns and each counts what the other committed),
 * reads their liveness from `device_state`, runs the rule, saves the states and stores the alerts.
 */
export async function detectSilence(tx: SqlClient, wentOffline: WentOffline[], deps: DetectSilenceDeps): Promise<DetectionNotice> {
  const segmentIds = [...new Set(wentOffline.flatMap((d) => (d.segmentId ? [d.segmentId] : [])))].sort();
  if (!deps.config.segmentSilence.enabled || !segmentIds.length) return { alerts: [], incidents: [] };
  const states = await lockSegmentDetectionStates(tx, segmentIds);
  const snapshot = await segmentLivenessSnapshot(tx, segmentIds, deps.config.segmentSilence.windowSeconds);
  const drafts: AlertDraft[] = [];
  const changed = new Map<string, SegmentDetectionState>();
  for (const s of snapshot.segments) {
    const prior = states.get(s.segmentId) as Partial<SegmentDetectionState> | undefined;
    const r = detectLiveness(
      prior?.v === 1 ? (prior as SegmentDetectionState) : undefined,
      { ...s, fleetLastHeardAt: snapshot.fleetLastHeardAt?.getTime() ?? null, at: snapshot.now.getTime() },
      deps.config,
    );
    changed.set(s.segmentId, r.state);
    drafts.push(...r.alerts);
  }
  await saveSegmentDetectionStates(tx, changed);
  return storeAlerts(tx, drafts, { correlation: deps.correlation, publishAlerts: deps.publishAlerts });
}

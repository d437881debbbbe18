import type { DeviceEvent } from '@warden/contracts';
import { inTransaction, markSilentDevicesOffline, segmentLivenessCounts, type SegmentLiveness, type SqlPool, type SqlQueryable } from '@warden/db';
import type { DeviceEventPublisher } from './process-batch.js';

export interface LivenessOptions {
  /** Expected seconds between reports for a device that did not announce its own interval. */
  defaultIntervalSeconds: number;
  /** A device is OFFLINE after this many expected intervals of silence. */
  graceFactor: number;
}

/**
 * Marks silent devices OFFLINE and publishes an OFFLINE event for each. The events go out before
 * the state change commits: a crash in between repeats an event, it never loses one. Runs in
 * chunks so one sweep after a long outage does not hold thousands of row locks at once.
 */
export async function sweepLiveness(
  deps: { pool: SqlPool; events: DeviceEventPublisher; now?: () => Date },
  opts: LivenessOptions & { chunk?: number },
): Promise<number> {
  const chunk = opts.chunk ?? 5000;
  let total = 0;
  for (;;) {
    const n = await inTransaction(deps.pool, async (tx) => {
      const silent = await markSilentDevicesOffline(tx, { ...opts, limit: chunk });
      if (silent.length) {
        const at = (deps.now?.() ?? new Date()).toISOString();
        const events: DeviceEvent[] = silent.map((d) => ({
          type: 'OFFLINE',
          deviceId: d.deviceId,
          segmentId: d.segmentId,
          at,
          lastSeenAt: d.lastSeenAt.toISOString(),
        }));
        await deps.events.publish(events);
      }
      return silent.length;
    });
    total += n;
    if (n < chunk) return total;
  }
}

export type { SegmentLiveness };

export interface SilenceThresholds {
  /** Share of the segment's reporting devices that went silent in the window, 0..1. */
  minShare: number;
  /** Fewer silent devices than this is never a signal (small segments). */
  minDevices: number;
}

export interface SegmentSilenceSignal {
  segmentId: string;
  wentOffline: number;
  reporting: number;
  share: number;
}

/**
 * The "many went silent at once" signal for detection: segments where a large share of the
 * devices went OFFLINE within the window. Pure: takes the counts, returns the signals, strongest first.
 */
export function evaluateSegmentSilence(segments: SegmentLiveness[], t: SilenceThresholds): SegmentSilenceSignal[] {
  return segments
    .filter((s) => s.reporting > 0)
    .map((s) => ({ segmentId: s.segmentId, wentOffline: s.wentOfflineInWindow, reporting: s.reporting, share: s.wentOfflineInWindow / s.reporting }))
    .filter((s) => s.wentOffline >= t.minDevices && s.share >= t.minShare)
    .sort((a, b) => b.share - a.share || b.wentOffline - a.wentOffline);
}

/** The segments where many devices went silent within `windowSeconds`. */
export async function detectSegmentSilence(pool: SqlQueryable, windowSeconds: number, t: SilenceThresholds): Promise<SegmentSilenceSignal[]> {
  return evaluateSegmentSilence(await segmentLivenessCounts(pool, windowSeconds), t);
}

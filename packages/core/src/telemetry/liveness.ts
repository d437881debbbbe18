import type { DeviceEvent } from '@warden/contracts';
import {
  inTransaction,
  markSilentDevicesOffline,
  type SqlClient,
  type SqlPool,
  type WentOffline,
} from '@warden/db';
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
 * `detect` runs in each chunk's transaction after the change (segment-wide detection rules), so
 * its state commits or rolls back with it.
 */
export async function sweepLiveness(
  deps: { pool: SqlPool; events: DeviceEventPublisher; now?: () => Date; detect?: (tx: SqlClient, wentOffline: WentOffline[]) => Promise<void> },
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
        if (deps.detect) await deps.detect(tx, silent);
      }
      return silent.length;
    });
    total += n;
    if (n < chunk) return total;
  }
}

import type { DeviceEvent, TelemetryRecord } from '@warden/contracts';
import {
  inTransaction,
  insertTelemetryPoints,
  upsertDeviceContacts,
  upsertDeviceState,
  type SqlPool,
} from '@warden/db';
import { dedupe, recordKey, toContactRows, toStateRows } from './plan-batch.js';

export interface DeviceEventPublisher {
  publish(events: DeviceEvent[]): Promise<void>;
}

export interface ProcessBatchDeps {
  pool: SqlPool;
  events: DeviceEventPublisher;
  now?: () => Date;
}

export interface BatchOutcome {
  /** Messages stored for the first time. */
  stored: number;
  /** Messages already stored before (a replay or a resend). */
  duplicates: number;
  cameOnline: number;
}

/**
 * Stores one batch from `warden.telemetry.v1` in one transaction: time-series points, then the
 * contact graph and the latest state from the points that were new. ONLINE events are published
 * before the commit, so a crash in between repeats them rather than loses them. The caller
 * commits Kafka offsets only after this resolves.
 */
export async function processTelemetryBatch(deps: ProcessBatchDeps, batch: TelemetryRecord[]): Promise<BatchOutcome> {
  const records = dedupe(batch);
  if (!records.length) return { stored: 0, duplicates: batch.length, cameOnline: 0 };
  return inTransaction(deps.pool, async (tx) => {
    // A record is a point row as it is (no copy per message).
    const inserted = await insertTelemetryPoints(tx, records);
    const keys = inserted.keys;
    const fresh = keys ? records.filter((r) => keys.has(recordKey(r))) : records;
    if (!fresh.length) return { stored: 0, duplicates: batch.length, cameOnline: 0 };
    await upsertDeviceContacts(tx, toContactRows(fresh));
    const online = await upsertDeviceState(tx, toStateRows(fresh));
    if (online.length) {
      const at = (deps.now?.() ?? new Date()).toISOString();
      await deps.events.publish(
        online.map((c) => ({ type: 'ONLINE', deviceId: c.deviceId, segmentId: c.segmentId, at, lastSeenAt: c.lastSeenAt.toISOString() })),
      );
    }
    return { stored: fresh.length, duplicates: batch.length - fresh.length, cameOnline: online.length };
  });
}

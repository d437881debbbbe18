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

/**
 * Whether Postgres refused a statement for the data it was given (SQLSTATE class 22, data
 * exception, or 23, integrity constraint violation): the same rows fail the same way every time.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** A record Postgres would not store, with its reason. */
export interface UnstorableRecord {
  record: TelemetryRecord;
  /** Postgres's message and SQLSTATE. */
  reason: string;
}

/**
 * {@link processTelemetryBatch} for a batch that may hold a record Postgres refuses (a value the
 * stream's own checks let through). A batch that fails for its data is written again as two halves,
 * each in its own transaction, down to the records that fail alone; those are handed to
 * `unstorable` (the DLQ) and the rest is stored. A failed transaction stored nothing, so writing its
 * halves is a replay. Any other failure is thrown as before (the caller reads the batch again).
 * Order is kept: the first half is written before the second.
 */
export async function processTelemetryBatchIsolating(
  deps: ProcessBatchDeps,
  batch: TelemetryRecord[],
  unstorable: (refused: UnstorableRecord[]) => Promise<void>,
): Promise<BatchOutcome & { unstorable: number }> {
  const refused: UnstorableRecord[] = [];
  const total: BatchOutcome = { stored: 0, duplicates: 0, cameOnline: 0 };
  const store = async (records: TelemetryRecord[]): Promise<void> => {
    try {
      const o = await processTelemetryBatch(deps, records);
      total.stored += o.stored;
      total.duplicates += o.duplicates;
      total.cameOnline += o.cameOnline;
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (records.length === 1) {
        const e = err as { message?: string; code: string };
        refused.push({ record: records[0]!, reason: `Postgres refused the record: ${e.message ?? 'unknown error'} (SQLSTATE ${e.code})` });
        return;
      }
      const half = records.length >>> 1;
      await store(records.slice(0, half));
      await store(records.slice(half));
    }
  };
  await store(batch);
  // Before the caller commits the batch's offsets: a refused record is in the DLQ or read again.
  if (refused.length) await unstorable(refused);
  return { ...total, unstorable: refused.length };
}

import type { DeviceDetectionState, DeviceFacts } from '@warden/core';
import { arrayLiteral, jsonArrayDocument, type SqlPool } from '@warden/db';

type Db = Pick<SqlPool, 'query'>;

/** A device as detection sees it: registry facts, and what the rules remember. */
export interface DetectionSubject {
  facts: DeviceFacts & { critical: boolean };
  state: DeviceDetectionState | undefined;
}

interface Entry {
  /** Null for a device id the registry does not know (its messages are skipped, as their points are). */
  subject: DetectionSubject | null;
  /** The telemetry partition the device's messages come from (its Kafka key decides it). */
  partition: number;
  /** Bumped by every applied state; the checkpoint clears `dirty` only if nothing came after it. */
  version: number;
  dirty: boolean;
  usedAt: number;
}

export interface DetectionStateOptions {
  /** Clean entries not used for this long are forgotten (read again from Postgres if the device comes back). */
  idleMs: number;
  now?: () => number;
}

export interface DetectionStateStore {
  /** The subjects of the devices (id → the partition it came from), reading those not held yet from Postgres in one statement. */
  load(db: Db, devices: ReadonlyMap<string, number>): Promise<Map<string, DetectionSubject>>;
  /** Records states computed from a batch whose alerts are stored; Postgres gets them at the next checkpoint. */
  apply(states: Map<string, DeviceDetectionState>): void;
  /**
   * Writes every state changed since the last checkpoint, in one statement. Resolves once they are
   * committed: everything applied before the call is then in Postgres, so the offsets of the
   * batches it came from may be committed.
   */
  checkpoint(db: Db): Promise<number>;
  /** After a rebalance: forgets the devices of partitions this instance no longer reads. */
  retain(partitions: readonly number[]): void;
  /** Re-reads the registry facts (segment, kind, criticality…) of the devices held, and forgets idle ones. */
  refreshFacts(db: Db): Promise<void>;
  size(): number;
}

interface SubjectRow {
  id: string;
  kind: string;
  model_id: string;
  segment_id: string | null;
  criticality: string;
  state: Partial<DeviceDetectionState> | null;
}

const CRITICAL = new Set(['HIGH', 'CRITICAL']);

function toFacts(r: SubjectRow): DetectionSubject['facts'] {
  return { id: r.id, kind: r.kind, modelId: r.model_id, segmentId: r.segment_id, critical: CRITICAL.has(r.criticality) };
}

/**
 * Detection's keyed state, held in memory by the instance that reads the device's partition (the
 * device id is the Kafka key, so a device's messages all come through one partition and one
 * instance), and checkpointed to `device_detection_state` before that partition's offsets are
 * committed. A batch then costs no Postgres round trip unless it raises an alert or brings a device
 * not seen yet, and each device's state is written once per checkpoint rather than once per batch.
 *
 * Why a crash or rebalance loses nothing and doubles nothing: Postgres always holds, for every
 * device, a state at least as recent as its partition's committed offset (the checkpoint comes
 * first), and the next owner replays from that offset. Messages the stored state has already seen
 * are no-ops (its `lastSeq`/`lastTs` high-water mark), and an alert raised again on replay is
 * stored once by its dedup key. A state is applied only after its batch's alerts are stored, so a
 * checkpoint never records an alert as raised that is not in Postgres.
 */
export function createDetectionStateStore(opts: DetectionStateOptions): DetectionStateStore {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const select = async (db: Db, ids: string[], withState: boolean) => {
    const { rows } = await db.query<SubjectRow>(
      `SELECT d.id, d.kind::text AS kind, d.model_id, d.segment_id, d.criticality::text AS criticality, ${withState ? 's.state' : 'NULL AS state'}
         FROM devices d ${withState ? 'LEFT JOIN device_detection_state s ON s.device_id = d.id' : ''}
        WHERE d.id = ANY($1::uuid[])`,
      [arrayLiteral(ids)],
    );
    return rows;
  };

  return {
    size: () => entries.size,

    async load(db, devices) {
      const at = now();
      const missing: string[] = [];
      for (const [id, partition] of devices) {
        const e = entries.get(id);
        // A device seen on another partition (the topic was repartitioned): read it again.
        if (!e || e.partition !== partition) missing.push(id);
        else e.usedAt = at;
      }
      if (missing.length) {
        const rows = await select(db, missing, true);
        const found = new Map(rows.map((r) => [r.id, r]));
        for (const id of missing) {
          const r = found.get(id);
          const state = r?.state?.v === 1 ? (r.state as DeviceDetectionState) : undefined;
          entries.set(id, { subject: r ? { facts: toFacts(r), state } : null, partition: devices.get(id)!, version: 0, dirty: false, usedAt: at });
        }
      }
      const out = new Map<string, DetectionSubject>();
      for (const id of devices.keys()) {
        // Absent only if the registry deleted it while this read.
        const subject = entries.get(id)?.subject;
        if (subject) out.set(id, subject);
      }
      return out;
    },

    apply(states) {
      for (const [id, state] of states) {
        const e = entries.get(id);
        if (!e?.subject) continue;
        e.subject = { facts: e.subject.facts, state };
        e.version++;
        e.dirty = true;
      }
    },

    async checkpoint(db) {
      const ids: string[] = [];
      const states: DeviceDetectionState[] = [];
      const taken: [Entry, number][] = [];
      for (const [id, e] of entries) {
        if (!e.dirty || !e.subject?.state) continue;
        ids.push(id);
        states.push(e.subject.state);
        taken.push([e, e.version]);
      }
      if (!ids.length) return 0;
      // Devices deleted meanwhile are skipped (the join), and a state never replaces a later one
      // (two owners for a moment during a rebalance).
      await db.query(
        `INSERT INTO device_detection_state (device_id, state, updated_at)
         SELECT u.device_id, u.state, now()
           FROM ROWS FROM (unnest($1::uuid[]), jsonb_array_elements($2::jsonb)) AS u(device_id, state)
           JOIN devices d ON d.id = u.device_id
          ORDER BY u.device_id
         ON CONFLICT (device_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()
          WHERE coalesce((device_detection_state.state->>'lastTs')::float8, -1) <= (EXCLUDED.state->>'lastTs')::float8`,
        [arrayLiteral(ids), jsonArrayDocument(states)],
      );
      for (const [e, version] of taken) if (e.version === version) e.dirty = false;
      return ids.length;
    },

    retain(partitions) {
      const keep = new Set(partitions);
      for (const [id, e] of entries) if (!keep.has(e.partition)) entries.delete(id);
    },

    async refreshFacts(db) {
      const idleBefore = now() - opts.idleMs;
      for (const [id, e] of entries) if (!e.dirty && e.usedAt < idleBefore) entries.delete(id);
      const ids = [...entries.keys()];
      if (!ids.length) return;
      const rows = new Map((await select(db, ids, false)).map((r) => [r.id, r]));
      for (const id of ids) {
        const e = entries.get(id);
        if (!e) continue;
        const r = rows.get(id);
        if (!r) {
          // Deleted from the registry (its stored state went with it).
          entries.delete(id);
          continue;
        }
        // A device registered since its id was first seen is read in full on its next message.
        if (!e.subject) entries.delete(id);
        else e.subject = { facts: toFacts(r), state: e.subject.state };
      }
    },
  };
}

import type { Prisma } from '@warden/db';
import type { AuditEntry } from '../audit/audit.js';
import type { Actor } from '../auth/roles.js';

type Tx = Prisma.TransactionClient;

/** One containment row as a request writes it. */
export interface ContainmentInsert {
  id: string;
  kind: string;
  status: 'PENDING' | 'SKIPPED';
  requestId: string;
  requestKey: string | null;
  targetKey: string;
  deviceId: string | null;
  segmentId: string | null;
  destination: string | null;
  actor: string;
  actorName: string;
  reason: string;
  incidentId: string | null;
  overrideFailSafe: boolean;
  expiresAt: Date | null;
  touched: unknown;
  skipped: unknown;
  deliveredVersion: number;
  at: Date;
}

/**
 * Writes a request's containments in one statement (UNNEST of column arrays): a quarantine of
 * thousands of devices costs one round trip, inside the request's transaction.
 */
export async function insertContainments(tx: Tx, rows: ContainmentInsert[]): Promise<void> {
  if (!rows.length) return;
  const col = <K extends keyof ContainmentInsert>(k: K) => rows.map((r) => r[k]);
  await tx.$executeRawUnsafe(
    `INSERT INTO containments (id, kind, status, request_id, request_key, target_key, device_id, segment_id, destination, actor, actor_name,
                               reason, incident_id, override_fail_safe, expires_at, touched, skipped, delivered_version, created_at, updated_at)
     SELECT i.id, i.kind::"ContainmentKind", i.status::"ContainmentStatus", i.request_id, i.request_key, i.target_key, i.device_id, i.segment_id,
            i.destination, i.actor, i.actor_name, i.reason, i.incident_id, i.override_fail_safe, i.expires_at, i.touched, i.skipped,
            i.delivered_version, i.at, i.at
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[], $10::text[],
                 $11::text[], $12::text[], $13::uuid[], $14::bool[], $15::timestamptz[], $16::jsonb[], $17::jsonb[], $18::int[], $19::timestamptz[])
       AS i(id, kind, status, request_id, request_key, target_key, device_id, segment_id, destination, actor, actor_name, reason, incident_id,
            override_fail_safe, expires_at, touched, skipped, delivered_version, at)`,
    col('id'),
    col('kind'),
    col('status'),
    col('requestId'),
    col('requestKey'),
    col('targetKey'),
    col('deviceId'),
    col('segmentId'),
    col('destination'),
    col('actor'),
    col('actorName'),
    col('reason'),
    col('incidentId'),
    col('overrideFailSafe'),
    col('expiresAt'),
    rows.map((r) => JSON.stringify(r.touched)),
    rows.map((r) => JSON.stringify(r.skipped)),
    col('deliveredVersion'),
    col('at'),
  );
}

/** Appends audit rows in one statement, in the caller's transaction (bulk containment requests). */
export async function insertAuditRows(tx: Tx, actor: Actor, entries: AuditEntry[], at: Date): Promise<void> {
  if (!entries.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO audit_log (at, actor_type, actor_id, actor_name, action, target_type, target_id, summary, ip, request_id)
     SELECT $1::timestamptz AT TIME ZONE 'UTC', $2::"ActorType", $3, $4, e.action, e.target_type, e.target_id, e.summary, $5, $6
     FROM unnest($7::text[], $8::text[], $9::text[], $10::jsonb[]) AS e(action, target_type, target_id, summary)`,
    at,
    actor.type,
    actor.id,
    actor.name,
    actor.ip ?? null,
    actor.requestId ?? null,
    entries.map((e) => e.action),
    entries.map((e) => e.targetType ?? null),
    entries.map((e) => e.targetId ?? null),
    entries.map((e) => JSON.stringify(e.summary ?? {})),
  );
}

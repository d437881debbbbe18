import type { Db, Prisma } from '@warden/db';
import type { Actor } from '../auth/roles.js';

/** A Prisma client or an open transaction: repositories and use-cases accept either. */
export type Tx = Db | Prisma.TransactionClient;

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string | null;
  /** Before/after summary. Never put secrets here. */
  summary?: Record<string, unknown>;
}

/** Appends one audit row; call it inside the mutation's transaction so both land or neither does. */
export async function audit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({ data: auditRow(actor, entry) });
}

/** Appends many audit rows in one statement (bulk operations). */
export async function auditMany(tx: Tx, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length) await tx.auditLog.createMany({ data: entries.map((e) => auditRow(actor, e)) });
}

function auditRow(actor: Actor, e: AuditEntry): Prisma.AuditLogCreateManyInput {
  return {
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    summary: (e.summary ?? {}) as Prisma.InputJsonValue,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  };
}

import type { AuditLog, Prisma } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { pageSize } from '../paging.js';

export interface AuditFilter {
  actions?: string[];
  /** Actions starting with this prefix, e.g. "device." */
  actionPrefix?: string;
  actorId?: string;
  actorName?: string;
  targetType?: string;
  targetId?: string;
  after?: Date;
  before?: Date;
}

/** The audit log, newest first, for admins. Cursor = the row id. */
export async function queryAudit(
  deps: CoreDeps,
  actor: Actor,
  args: { filter?: AuditFilter; first: number; after?: string | null },
): Promise<{ nodes: AuditLog[]; hasNextPage: boolean }> {
  requireRole(actor, 'ADMIN');
  pageSize(deps, args.first);
  const f = args.filter ?? {};
  const where: Prisma.AuditLogWhereInput = {
    ...(f.actions?.length ? { action: { in: f.actions } } : {}),
    ...(f.actionPrefix ? { action: { startsWith: f.actionPrefix } } : {}),
    ...(f.actorId ? { actorId: f.actorId } : {}),
    ...(f.actorName ? { actorName: { contains: f.actorName, mode: 'insensitive' } } : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.targetId ? { targetId: f.targetId } : {}),
    ...(f.after || f.before ? { at: { ...(f.after ? { gte: f.after } : {}), ...(f.before ? { lt: f.before } : {}) } } : {}),
  };
  let cursor: bigint | null = null;
  if (args.after) {
    if (!/^\d{1,19}$/.test(args.after)) throw new ValidationError('after: not a cursor from this API', 'after');
    cursor = BigInt(args.after);
  }
  const rows = await deps.db.auditLog.findMany({
    where: cursor === null ? where : { AND: [where, { id: { lt: cursor } }] },
    orderBy: { id: 'desc' },
    take: args.first + 1,
  });
  return { nodes: rows.slice(0, args.first), hasNextPage: rows.length > args.first };
}

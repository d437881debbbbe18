import type { Containment, Prisma } from '@warden/db';
import { z } from 'zod';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { CONTAINMENT_KINDS, CONTAINMENT_STATUSES, type ContainmentKind, type ContainmentStatus } from './plan.js';
import { pageSize, readTimeCursor, timeCursor } from '../paging.js';

const UUID = z.uuid();
const uuid = (v: string, field: string): string => {
  if (!UUID.safeParse(v).success) throw new ValidationError(`${field}: not an id`, field);
  return v;
};

export interface ContainmentFilter {
  statuses?: ContainmentStatus[];
  kinds?: ContainmentKind[];
  incidentId?: string;
  /** Containments of this device (its own, not its segment's). */
  deviceId?: string;
  segmentId?: string;
  requestId?: string;
}

export interface ContainmentPage {
  nodes: Containment[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

/** Containments, newest first (VIEWER). */
export async function listContainments(deps: CoreDeps, actor: Actor, args: { filter?: ContainmentFilter; first: number; after?: string | null }): Promise<ContainmentPage> {
  requireRole(actor, 'VIEWER');
  pageSize(deps, args.first);
  const f = args.filter ?? {};
  for (const s of f.statuses ?? []) if (!(CONTAINMENT_STATUSES as readonly string[]).includes(s)) throw new ValidationError(`filter.statuses: one of ${CONTAINMENT_STATUSES.join(', ')}`, 'filter.statuses');
  for (const k of f.kinds ?? []) if (!(CONTAINMENT_KINDS as readonly string[]).includes(k)) throw new ValidationError(`filter.kinds: one of ${CONTAINMENT_KINDS.join(', ')}`, 'filter.kinds');
  const where: Prisma.ContainmentWhereInput = {
    ...(f.statuses?.length ? { status: { in: f.statuses } } : {}),
    ...(f.kinds?.length ? { kind: { in: f.kinds } } : {}),
    ...(f.incidentId ? { incidentId: uuid(f.incidentId, 'filter.incidentId') } : {}),
    ...(f.deviceId ? { deviceId: uuid(f.deviceId, 'filter.deviceId') } : {}),
    ...(f.segmentId ? { segmentId: uuid(f.segmentId, 'filter.segmentId') } : {}),
    ...(f.requestId ? { requestId: uuid(f.requestId, 'filter.requestId') } : {}),
  };
  const c = args.after ? readTimeCursor(args.after) : null;
  const [rows, totalCount] = await Promise.all([
    deps.db.containment.findMany({
      where: c ? { AND: [where, { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] }] } : where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: args.first + 1,
    }),
    deps.db.containment.count({ where }),
  ]);
  const nodes = rows.slice(0, args.first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > args.first, endCursor: last ? timeCursor(last.createdAt, last.id) : null, totalCount };
}

/** One containment, or null for an unknown id (VIEWER). */
export async function getContainment(deps: CoreDeps, actor: Actor, id: string): Promise<Containment | null> {
  requireRole(actor, 'VIEWER');
  if (!UUID.safeParse(id).success) return null;
  return deps.db.containment.findUnique({ where: { id } });
}

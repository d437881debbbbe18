import type { Device, Prisma } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { firmwareKey } from './firmware-version.js';

export interface DeviceFilter {
  ids?: string[];
  kinds?: string[];
  modelIds?: string[];
  /** Exact firmware version(s). */
  firmwareVersions?: string[];
  /** Firmware at or above this version. */
  firmwareAtLeast?: string;
  /** Firmware strictly below this version. */
  firmwareBelow?: string;
  segmentIds?: string[];
  siteIds?: string[];
  /** Devices carrying every one of these tags. */
  tags?: string[];
  /** Devices carrying at least one of these tags. */
  anyTags?: string[];
  statuses?: string[];
  criticalities?: string[];
  lastSeenBefore?: Date;
  lastSeenAfter?: Date;
  neverSeen?: boolean;
  otaCapable?: boolean;
  /** Free text over name, serial, controller id, location, owner, MAC and IP. */
  search?: string;
}

export type DeviceSortField = 'NAME' | 'SERIAL' | 'LAST_SEEN' | 'FIRMWARE' | 'CREATED';
export interface DeviceOrder {
  field: DeviceSortField;
  direction: 'ASC' | 'DESC';
}

const IPV4ISH = /^\d{1,3}(\.\d{1,3}){3}$/;

function versionKey(v: string, field: string): string {
  const k = firmwareKey(v);
  if (!k) throw new ValidationError(`${field}: "${v}" is not a version`, field);
  return k;
}

/** The registry filter as a Prisma `where`. Shared by search, counts, summaries and rollout targeting. */
export function deviceWhere(f: DeviceFilter = {}): Prisma.DeviceWhereInput {
  const and: Prisma.DeviceWhereInput[] = [];
  if (f.ids?.length) and.push({ id: { in: f.ids } });
  if (f.kinds?.length) and.push({ kind: { in: f.kinds as Device['kind'][] } });
  if (f.modelIds?.length) and.push({ modelId: { in: f.modelIds } });
  if (f.firmwareVersions?.length) and.push({ firmwareVersion: { in: f.firmwareVersions } });
  if (f.firmwareAtLeast) and.push({ firmwareKey: { gte: versionKey(f.firmwareAtLeast, 'firmwareAtLeast') } });
  if (f.firmwareBelow) and.push({ firmwareKey: { lt: versionKey(f.firmwareBelow, 'firmwareBelow') } });
  if (f.segmentIds?.length) and.push({ segmentId: { in: f.segmentIds } });
  if (f.siteIds?.length) and.push({ segment: { siteId: { in: f.siteIds } } });
  if (f.tags?.length) and.push({ tags: { hasEvery: f.tags } });
  if (f.anyTags?.length) and.push({ tags: { hasSome: f.anyTags } });
  if (f.statuses?.length) and.push({ status: { in: f.statuses as Device['status'][] } });
  if (f.criticalities?.length) and.push({ criticality: { in: f.criticalities as Device['criticality'][] } });
  if (f.lastSeenBefore) and.push({ lastSeenAt: { lt: f.lastSeenBefore } });
  if (f.lastSeenAfter) and.push({ lastSeenAt: { gte: f.lastSeenAfter } });
  if (f.neverSeen !== undefined) and.push({ lastSeenAt: f.neverSeen ? null : { not: null } });
  if (f.otaCapable !== undefined) and.push({ model: { otaCapable: f.otaCapable } });
  const q = f.search?.trim();
  if (q) {
    if (q.length > 100) throw new ValidationError('search: at most 100 characters', 'search');
    const or: Prisma.DeviceWhereInput[] = [
      { name: { contains: q, mode: 'insensitive' } },
      { serial: { contains: q, mode: 'insensitive' } },
      { controllerId: { contains: q, mode: 'insensitive' } },
      { location: { contains: q, mode: 'insensitive' } },
      { owner: { contains: q, mode: 'insensitive' } },
      { mac: { contains: q.toLowerCase() } },
    ];
    if (IPV4ISH.test(q)) or.push({ ip: q });
    and.push({ OR: or });
  }
  return and.length ? { AND: and } : {};
}

const SORT: Record<DeviceSortField, keyof Device> = {
  NAME: 'name',
  SERIAL: 'serial',
  LAST_SEEN: 'lastSeenAt',
  FIRMWARE: 'firmwareKey',
  CREATED: 'createdAt',
};

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export function encodeCursor(id: string): string {
  return Buffer.from(`d:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const raw = Buffer.from(cursor, 'base64url').toString();
  const id = raw.startsWith('d:') ? raw.slice(2) : '';
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new ValidationError(`${field}: not a cursor from this API`, field);
  return id;
}

/**
 * One page of devices matching `filter`, in a stable order (the sort field, then id), with
 * cursor pagination: pass the previous page's `endCursor` as `after`.
 */
export async function searchDevices(
  deps: CoreDeps,
  actor: Actor,
  args: { filter?: DeviceFilter; first: number; after?: string | null; orderBy?: DeviceOrder },
): Promise<Page<Device>> {
  requireRole(actor, 'VIEWER');
  const max = deps.config.graphql.maxPageSize;
  if (!Number.isInteger(args.first) || args.first < 0 || args.first > max) {
    throw new ValidationError(`first: must be between 0 and ${max}`, 'first');
  }
  const order = args.orderBy ?? { field: 'NAME', direction: 'ASC' };
  const dir = order.direction === 'DESC' ? 'desc' : 'asc';
  const sortKey = SORT[order.field];
  const orderBy: Prisma.DeviceOrderByWithRelationInput[] = [
    sortKey === 'lastSeenAt' || sortKey === 'firmwareKey'
      ? { [sortKey]: { sort: dir, nulls: 'last' } }
      : { [sortKey]: dir },
    { id: dir },
  ];
  const afterId = args.after ? decodeCursor(args.after) : null;
  const rows = await deps.db.device.findMany({
    where: deviceWhere(args.filter),
    orderBy,
    take: args.first + 1,
    ...(afterId ? { cursor: { id: afterId }, skip: 1 } : {}),
  });
  const nodes = rows.slice(0, args.first);
  return {
    nodes,
    hasNextPage: rows.length > args.first,
    hasPreviousPage: afterId !== null,
    startCursor: nodes[0] ? encodeCursor(nodes[0].id) : null,
    endCursor: nodes.at(-1) ? encodeCursor(nodes.at(-1)!.id) : null,
  };
}

export async function countDevices(deps: CoreDeps, actor: Actor, filter?: DeviceFilter): Promise<number> {
  requireRole(actor, 'VIEWER');
  return deps.db.device.count({ where: deviceWhere(filter) });
}

export interface Bucket {
  key: string | null;
  count: number;
}

export interface FleetSummary {
  total: number;
  byKind: Bucket[];
  byStatus: Bucket[];
  byModel: Bucket[];
  bySegment: Bucket[];
  byFirmware: { modelId: string; version: string | null; count: number }[];
}

/** Counts of the (filtered) fleet by kind, status, model, segment and firmware, in parallel. */
export async function fleetSummary(deps: CoreDeps, actor: Actor, filter?: DeviceFilter): Promise<FleetSummary> {
  requireRole(actor, 'VIEWER');
  const where = deviceWhere(filter);
  const db = deps.db;
  const [total, kind, status, model, segment, firmware] = await Promise.all([
    db.device.count({ where }),
    db.device.groupBy({ by: ['kind'], where, _count: { _all: true } }),
    db.device.groupBy({ by: ['status'], where, _count: { _all: true } }),
    db.device.groupBy({ by: ['modelId'], where, _count: { _all: true } }),
    db.device.groupBy({ by: ['segmentId'], where, _count: { _all: true } }),
    db.device.groupBy({ by: ['modelId', 'firmwareVersion', 'firmwareKey'], where, _count: { _all: true } }),
  ]);
  const desc = (a: Bucket, b: Bucket) => b.count - a.count || String(a.key).localeCompare(String(b.key));
  return {
    total,
    byKind: kind.map((r) => ({ key: r.kind, count: r._count._all })).sort(desc),
    byStatus: status.map((r) => ({ key: r.status, count: r._count._all })).sort(desc),
    byModel: model.map((r) => ({ key: r.modelId, count: r._count._all })).sort(desc),
    bySegment: segment.map((r) => ({ key: r.segmentId, count: r._count._all })).sort(desc),
    byFirmware: firmware
      .sort((a, b) => a.modelId.localeCompare(b.modelId) || String(b.firmwareKey).localeCompare(String(a.firmwareKey)))
      .map((r) => ({ modelId: r.modelId, version: r.firmwareVersion, count: r._count._all })),
  };
}

import { type DeviceField, type DeviceRow, countDevicesSql, fleetCountsSql, searchDevicesSql, type FleetCountRow, type Device, type DeviceSortColumn, type DeviceSqlFilter, type Prisma } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { firmwareKey } from './firmware-version.js';
import { pageSize } from '../paging.js';

/**
 * The registry filter as callers write it: the SQL filter's fields, with firmware bounds given as
 * versions ("firmware below 2.0") rather than sort keys.
 */
export type DeviceFilter = Omit<DeviceSqlFilter, 'firmwareKeyAtLeast' | 'firmwareKeyBelow'> & {
  /** Firmware at or above this version. */
  firmwareAtLeast?: string;
  /** Firmware strictly below this version. */
  firmwareBelow?: string;
};

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

const SORT: Record<DeviceSortField, DeviceSortColumn> = {
  NAME: 'name',
  SERIAL: 'serial',
  LAST_SEEN: 'last_seen_at',
  FIRMWARE: 'firmware_key',
  CREATED: 'created_at',
};

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

const SORT_VALUE: Record<DeviceSortColumn, (d: Device) => string | null> = {
  name: (d) => d.name,
  serial: (d) => d.serial,
  last_seen_at: (d) => d.lastSeenAt?.toISOString() ?? null,
  firmware_key: (d) => d.firmwareKey,
  created_at: (d) => d.createdAt.toISOString(),
};

/** An opaque keyset cursor: the sort field, its value and the id of the last row seen. */
export function encodeCursor(device: Device, field: DeviceSortField = 'NAME'): string {
  return Buffer.from(JSON.stringify([field, SORT_VALUE[SORT[field]](device), device.id])).toString('base64url');
}

export function decodeCursor(cursor: string, field: DeviceSortField, name = 'after'): { value: string | null; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parsed = null;
  }
  const ok =
    Array.isArray(parsed) && parsed.length === 3 && parsed[0] === field &&
    (parsed[1] === null || typeof parsed[1] === 'string') && typeof parsed[2] === 'string' && /^[0-9a-f-]{36}$/.test(parsed[2]);
  if (!ok) throw new ValidationError(`${name}: not a cursor from this API for this sort order`, name);
  const [, value, id] = parsed as [string, string | null, string];
  return { value, id };
}

/** Validates a filter and resolves firmware bounds to sort keys, for the SQL search. */
export function resolveFilter(f: DeviceFilter = {}): DeviceSqlFilter {
  const q = f.search?.trim();
  if (q && q.length > 100) throw new ValidationError('search: at most 100 characters', 'search');
  const uuids = (ids: string[] | undefined, field: string) => {
    if (ids?.some((id) => !UUID.test(id))) throw new ValidationError(`${field}: not a valid id`, field);
    return ids;
  };
  return {
    ...f,
    ids: uuids(f.ids, 'ids'),
    modelIds: uuids(f.modelIds, 'modelIds'),
    segmentIds: uuids(f.segmentIds, 'segmentIds'),
    siteIds: uuids(f.siteIds, 'siteIds'),
    firmwareKeyAtLeast: f.firmwareAtLeast ? versionKey(f.firmwareAtLeast, 'firmwareAtLeast') : undefined,
    firmwareKeyBelow: f.firmwareBelow ? versionKey(f.firmwareBelow, 'firmwareBelow') : undefined,
    search: q || undefined,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One page of devices matching `filter`, in a stable order (the sort field, then id), with
 * keyset pagination: pass the previous page's `endCursor` as `after`. Runs as one indexed SQL
 * query (this is the registry's hottest read). A caller that shows only some fields names them in
 * `fields`; the others are then left undefined (id, model id, segment id and the sort field are
 * always there).
 */
export async function searchDevices(
  deps: CoreDeps,
  actor: Actor,
  args: { filter?: DeviceFilter; first: number; after?: string | null; orderBy?: DeviceOrder; fields?: readonly DeviceField[] },
): Promise<Page<DeviceRow>> {
  requireRole(actor, 'VIEWER');
  pageSize(deps, args.first);
  const order = args.orderBy ?? { field: 'NAME', direction: 'ASC' };
  const after = args.after ? decodeCursor(args.after, order.field) : null;
  const rows = await searchDevicesSql(deps.sql, {
    filter: resolveFilter(args.filter),
    sort: SORT[order.field],
    desc: order.direction === 'DESC',
    limit: args.first + 1,
    after,
    ...(args.fields ? { fields: args.fields } : {}),
  });
  const nodes = rows.slice(0, args.first);
  return {
    nodes,
    hasNextPage: rows.length > args.first,
    hasPreviousPage: after !== null,
    startCursor: nodes[0] ? encodeCursor(nodes[0], order.field) : null,
    endCursor: nodes.at(-1) ? encodeCursor(nodes.at(-1)!, order.field) : null,
  };
}

export async function countDevices(deps: CoreDeps, actor: Actor, filter?: DeviceFilter): Promise<number> {
  requireRole(actor, 'VIEWER');
  return countDevicesSql(deps.sql, resolveFilter(filter));
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

/** Counts of the (filtered) fleet by kind, status, model, segment and firmware, in one scan. */
export async function fleetSummary(deps: CoreDeps, actor: Actor, filter?: DeviceFilter): Promise<FleetSummary> {
  requireRole(actor, 'VIEWER');
  const rows = await fleetCountsSql(deps.sql, resolveFilter(filter));
  const dim = (d: string) => rows.filter((r) => r.dim === d);
  const buckets = (d: string) =>
    dim(d)
      .map((r) => ({ key: r.key, count: r.count }))
      .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
  return {
    total: dim('total')[0]?.count ?? 0,
    byKind: buckets('kind'),
    byStatus: buckets('status'),
    byModel: buckets('model'),
    bySegment: buckets('segment'),
    byFirmware: (dim('firmware') as (FleetCountRow & { fkey: string | null })[])
      .sort((a, b) => a.modelId!.localeCompare(b.modelId!) || String(b.fkey).localeCompare(String(a.fkey)))
      .map((r) => ({ modelId: r.modelId!, version: r.version, count: r.count })),
  };
}

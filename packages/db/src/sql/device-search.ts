import type { SqlPool } from './pool.js';
import type { Device } from '../generated/client.js';

/** The registry filter in its resolved form (firmware bounds already as sort keys). */
export interface DeviceSqlFilter {
  ids?: string[];
  kinds?: string[];
  modelIds?: string[];
  firmwareVersions?: string[];
  firmwareKeyAtLeast?: string;
  firmwareKeyBelow?: string;
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

export type DeviceSortColumn = 'name' | 'serial' | 'last_seen_at' | 'firmware_key' | 'created_at';

const COLUMNS = `d.id::text AS id, d.serial, d.controller_id AS "controllerId", d.name, d.kind::text AS kind,
  d.model_id::text AS "modelId", d.firmware_version AS "firmwareVersion", d.firmware_key AS "firmwareKey",
  d.segment_id::text AS "segmentId", host(d.ip) AS ip, d.mac, d.tags, d.location, d.criticality::text AS criticality,
  d.owner, d.status::text AS status, d.last_seen_at AS "lastSeenAt", d.attributes, d.created_at AS "createdAt",
  d.updated_at AS "updatedAt", d.retired_at AS "retiredAt"`;

/** Builds `WHERE …` and its parameters from a filter. Every value is a bind parameter. */
export function deviceWhereSql(f: DeviceSqlFilter, params: unknown[] = []): { sql: string; params: unknown[] } {
  const and: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.ids?.length) and.push(`d.id = ANY(${p(f.ids)}::uuid[])`);
  if (f.kinds?.length) and.push(`d.kind::text = ANY(${p(f.kinds)}::text[])`);
  if (f.modelIds?.length) and.push(`d.model_id = ANY(${p(f.modelIds)}::uuid[])`);
  if (f.firmwareVersions?.length) and.push(`d.firmware_version = ANY(${p(f.firmwareVersions)}::text[])`);
  if (f.firmwareKeyAtLeast) and.push(`d.firmware_key >= ${p(f.firmwareKeyAtLeast)}`);
  if (f.firmwareKeyBelow) and.push(`d.firmware_key < ${p(f.firmwareKeyBelow)}`);
  if (f.segmentIds?.length) and.push(`d.segment_id = ANY(${p(f.segmentIds)}::uuid[])`);
  if (f.siteIds?.length) and.push(`d.segment_id IN (SELECT id FROM segments WHERE site_id = ANY(${p(f.siteIds)}::uuid[]))`);
  if (f.tags?.length) and.push(`d.tags @> ${p(f.tags)}::text[]`);
  if (f.anyTags?.length) and.push(`d.tags && ${p(f.anyTags)}::text[]`);
  if (f.statuses?.length) and.push(`d.status::text = ANY(${p(f.statuses)}::text[])`);
  if (f.criticalities?.length) and.push(`d.criticality::text = ANY(${p(f.criticalities)}::text[])`);
  if (f.lastSeenBefore) and.push(`d.last_seen_at < ${p(f.lastSeenBefore)}`);
  if (f.lastSeenAfter) and.push(`d.last_seen_at >= ${p(f.lastSeenAfter)}`);
  if (f.neverSeen !== undefined) and.push(f.neverSeen ? 'd.last_seen_at IS NULL' : 'd.last_seen_at IS NOT NULL');
  if (f.otaCapable !== undefined) and.push(`d.model_id IN (SELECT id FROM device_models WHERE ota_capable = ${p(f.otaCapable)})`);
  if (f.search) {
    const like = p(`%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const or = [`d.name ILIKE ${like}`, `d.serial ILIKE ${like}`, `d.controller_id ILIKE ${like}`, `d.location ILIKE ${like}`, `d.owner ILIKE ${like}`, `d.mac ILIKE ${like}`];
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(f.search)) or.push(`d.ip = ${p(f.search)}::inet`);
    and.push(`(${or.join(' OR ')})`);
  }
  return { sql: and.length ? `WHERE ${and.join(' AND ')}` : '', params };
}

/** A device row from the search, with its model and segment joined in (saves the page a round trip). */
export type DeviceRow = Device & {
  joinedModel: { id: string; vendor: string; name: string; kind: string; otaCapable: boolean; createdAt: Date; updatedAt: Date };
  joinedSegment: { id: string; siteId: string; name: string; cidr: string; zone: string; vlan: number | null; createdAt: Date; updatedAt: Date } | null;
};

const JOINED = `json_build_object('id', m.id, 'vendor', m.vendor, 'name', m.name, 'kind', m.kind, 'otaCapable', m.ota_capable,
    'createdAt', m.created_at, 'updatedAt', m.updated_at) AS "joinedModel",
  CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'siteId', s.site_id, 'name', s.name, 'cidr', s.cidr,
    'zone', s.zone, 'vlan', s.vlan, 'createdAt', s.created_at, 'updatedAt', s.updated_at) END AS "joinedSegment"`;

/**
 * One keyset page: rows after (`afterValue`, `afterId`) in (sort column, id) order, nulls last.
 * Returns up to `limit` rows.
 */
export async function searchDevicesSql(
  pool: SqlPool,
  args: { filter: DeviceSqlFilter; sort: DeviceSortColumn; desc: boolean; limit: number; after?: { value: string | null; id: string } | null },
): Promise<DeviceRow[]> {
  const { sql: where, params } = deviceWhereSql(args.filter);
  const col = `d.${args.sort}`;
  const dir = args.desc ? 'DESC' : 'ASC';
  let keyset = '';
  if (args.after) {
    const cmp = args.desc ? '<' : '>';
    const id = `$${params.push(args.after.id)}::uuid`;
    if (args.after.value === null) {
      // Already among the nulls (sorted last): only ids past the cursor remain.
      keyset = `${col} IS NULL AND d.id ${cmp} ${id}`;
    } else {
      const v = `$${params.push(args.after.value)}`;
      const typed = args.sort === 'last_seen_at' || args.sort === 'created_at' ? `${v}::timestamp` : `${v}::text`;
      keyset = `(${col} ${cmp} ${typed} OR (${col} = ${typed} AND d.id ${cmp} ${id}) OR ${col} IS NULL)`;
    }
  }
  const whereAll = [where.replace(/^WHERE /, ''), keyset].filter(Boolean).join(' AND ');
  // Page first, then decorate: the joins and JSON are built for the page's rows only, not for
  // every matching row before the sort.
  const order = `ORDER BY ${col} ${dir} NULLS LAST, d.id ${dir}`;
  const text = `WITH page AS (
      SELECT d.* FROM devices d ${whereAll ? `WHERE ${whereAll}` : ''} ${order} LIMIT $${params.push(args.limit)}
    )
    SELECT ${COLUMNS}, ${JOINED}
    FROM page d JOIN device_models m ON m.id = d.model_id LEFT JOIN segments s ON s.id = d.segment_id
    ${order}`;
  const { rows } = await pool.query({ text, values: params });
  return (rows as DeviceRow[]).map((r) => {
    // json_build_object renders timestamps as text; callers get Dates as from any other read.
    r.joinedModel.createdAt = new Date(`${r.joinedModel.createdAt}Z`);
    r.joinedModel.updatedAt = new Date(`${r.joinedModel.updatedAt}Z`);
    if (r.joinedSegment) {
      r.joinedSegment.createdAt = new Date(`${r.joinedSegment.createdAt}Z`);
      r.joinedSegment.updatedAt = new Date(`${r.joinedSegment.updatedAt}Z`);
    }
    return r;
  });
}

export async function countDevicesSql(pool: SqlPool, filter: DeviceSqlFilter): Promise<number> {
  const { sql, params } = deviceWhereSql(filter);
  const { rows } = await pool.query({ text: `SELECT count(*)::int AS n FROM devices d ${sql}`, values: params });
  return (rows[0] as { n: number }).n;
}

export interface FleetCountRow {
  dim: 'total' | 'kind' | 'status' | 'model' | 'segment' | 'firmware';
  key: string | null;
  modelId: string | null;
  version: string | null;
  count: number;
}

/** Counts by kind, status, model, segment and (model, firmware) in ONE scan (GROUPING SETS). */
export async function fleetCountsSql(pool: SqlPool, filter: DeviceSqlFilter): Promise<FleetCountRow[]> {
  const { sql, params } = deviceWhereSql(filter);
  const { rows } = await pool.query({
    text: `SELECT CASE
               WHEN GROUPING(d.kind) = 0 THEN 'kind'
               WHEN GROUPING(d.status) = 0 THEN 'status'
               WHEN GROUPING(d.firmware_version) = 0 THEN 'firmware'
               WHEN GROUPING(d.model_id) = 0 THEN 'model'
               WHEN GROUPING(d.segment_id) = 0 THEN 'segment'
               ELSE 'total' END AS dim,
             COALESCE(d.kind::text, d.status::text, d.segment_id::text, d.model_id::text) AS key,
             d.model_id::text AS "modelId", d.firmware_version AS version, max(d.firmware_key) AS fkey,
             count(*)::int AS count
           FROM devices d ${sql}
           GROUP BY GROUPING SETS ((d.kind), (d.status), (d.model_id), (d.segment_id), (d.model_id, d.firmware_version), ())`,
    values: params,
  });
  return rows as FleetCountRow[];
}

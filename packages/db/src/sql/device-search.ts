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

/** Epoch milliseconds: a number pg hands over as is, where a timestamp string costs a Date parse. */
const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

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

/** A field of `Device` a page can carry. */
export type DeviceField = keyof Device;

/** Each device field's column, in the order a page reads them. */
const DEVICE_COLUMNS: Record<DeviceField, string> = {
  id: 'd.id::text', serial: 'd.serial', controllerId: 'd.controller_id', name: 'd.name', kind: 'd.kind::text',
  modelId: 'd.model_id::text', firmwareVersion: 'd.firmware_version', firmwareKey: 'd.firmware_key', segmentId: 'd.segment_id::text',
  ip: 'host(d.ip)', mac: 'd.mac', tags: 'array_to_json(d.tags)::text', location: 'd.location', criticality: 'd.criticality::text', owner: 'd.owner',
  status: 'd.status::text', failSafe: 'd.fail_safe', lastSeenAt: ms('d.last_seen_at'), attributes: 'd.attributes',
  createdAt: ms('d.created_at'), updatedAt: ms('d.updated_at'), retiredAt: ms('d.retired_at'),
};
const ALL_FIELDS = Object.keys(DEVICE_COLUMNS) as DeviceField[];

/** The device field each sort column holds (every page reads it, for the cursors). */
const SORT_FIELD: Record<DeviceSortColumn, DeviceField> = {
  name: 'name', serial: 'serial', last_seen_at: 'lastSeenAt', firmware_key: 'firmwareKey', created_at: 'createdAt',
};

/**
 * The page's columns, read by position (`rowMode: 'array'`) by `toDeviceRows`: the asked-for device
 * columns, then the model and the segment, each as one JSON array sent only on the rows where it
 * differs from the previous row's. A page's devices mostly share a handful of models and segments,
 * so the page carries each about once instead of thirteen columns on every row.
 */
function pageColumns(fields: readonly DeviceField[], window: string): string {
  return [
    ...fields.map((f) => DEVICE_COLUMNS[f]),
    `CASE WHEN d.model_id IS DISTINCT FROM lag(d.model_id) OVER ${window}
       THEN json_build_array(m.vendor, m.name, m.kind::text, m.ota_capable, ${ms('m.created_at')}, ${ms('m.updated_at')})::text END`,
    `CASE WHEN d.segment_id IS DISTINCT FROM lag(d.segment_id) OVER ${window}
       THEN json_build_array(s.site_id::text, s.name, s.cidr, s.zone::text, s.vlan, ${ms('s.created_at')}, ${ms('s.updated_at')})::text END`,
  ].join(', ');
}

type JoinedModel = DeviceRow['joinedModel'];
type JoinedSegment = NonNullable<DeviceRow['joinedSegment']>;

/** Column `i` of a row; undefined for a field the page does not read (`i` < 0). */
function col(r: unknown[], i: number): unknown {
  return i < 0 ? undefined : r[i];
}

/** A JSON column (parsed natively: much cheaper than pg's text-array parser for `tags`). */
function json(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** Epoch milliseconds to a date; null stays null and a column not read stays undefined. */
function date(v: unknown): Date | null | undefined {
  return v === null || v === undefined ? v : new Date(v as number);
}

function toModel(id: string, json: string): JoinedModel {
  const [vendor, name, kind, otaCapable, createdAt, updatedAt] = JSON.parse(json) as [string, string, string, boolean, number, number];
  return { id, vendor, name, kind, otaCapable, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) };
}

function toSegment(id: string, json: string): JoinedSegment {
  const [siteId, name, cidr, zone, vlan, createdAt, updatedAt] = JSON.parse(json) as [string, string, string, string, number | null, number, number];
  return { id, siteId, name, cidr, zone, vlan, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) };
}

/**
 * Turns positional rows into devices carrying their model and segment, one object per distinct
 * model/segment. Every device is built by one object literal, so all share one shape (a field not
 * read is there, undefined): the page's serialisation then reads them as fast as plain fields.
 */
function toDeviceRows(rows: unknown[][], fields: readonly DeviceField[]): DeviceRow[] {
  const at = {} as Record<DeviceField, number>;
  for (const f of ALL_FIELDS) at[f] = -1;
  fields.forEach((f, i) => (at[f] = i));
  const modelAt = fields.length;
  const segmentAt = fields.length + 1;
  const models = new Map<string, JoinedModel>();
  const segments = new Map<string, JoinedSegment>();
  const out = new Array<DeviceRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const modelId = r[at.modelId] as string;
    const segmentId = r[at.segmentId] as string | null;
    // A row without the JSON has the previous row's model (or segment), already in the map.
    let model = models.get(modelId);
    if (!model) models.set(modelId, (model = toModel(modelId, r[modelAt] as string)));
    let segment: JoinedSegment | null = null;
    if (segmentId) {
      segment = segments.get(segmentId) ?? null;
      if (!segment) segments.set(segmentId, (segment = toSegment(segmentId, r[segmentAt] as string)));
    }
    out[i] = {
      id: r[at.id], serial: col(r, at.serial), controllerId: col(r, at.controllerId), name: col(r, at.name),
      kind: col(r, at.kind), modelId, firmwareVersion: col(r, at.firmwareVersion), firmwareKey: col(r, at.firmwareKey),
      segmentId, ip: col(r, at.ip), mac: col(r, at.mac), tags: json(col(r, at.tags)), location: col(r, at.location),
      criticality: col(r, at.criticality), owner: col(r, at.owner), status: col(r, at.status), failSafe: col(r, at.failSafe),
      lastSeenAt: date(col(r, at.lastSeenAt)), attributes: col(r, at.attributes), createdAt: date(col(r, at.createdAt)),
      updatedAt: date(col(r, at.updatedAt)), retiredAt: date(col(r, at.retiredAt)), joinedModel: model, joinedSegment: segment,
    } as DeviceRow;
  }
  return out;
}

/**
 * One keyset page: rows after (`afterValue`, `afterId`) in (sort column, id) order, nulls last.
 * Returns up to `limit` rows. With `fields`, devices carry only those fields (the rest undefined),
 * besides their id, model id, segment id and sort field, which every page carries.
 */
export async function searchDevicesSql(
  pool: SqlPool,
  args: {
    filter: DeviceSqlFilter;
    sort: DeviceSortColumn;
    desc: boolean;
    limit: number;
    after?: { value: string | null; id: string } | null;
    fields?: readonly DeviceField[];
  },
): Promise<DeviceRow[]> {
  const wanted = args.fields ? new Set<DeviceField>(['id', 'modelId', 'segmentId', SORT_FIELD[args.sort], ...args.fields]) : null;
  const fields = wanted ? ALL_FIELDS.filter((f) => wanted.has(f)) : ALL_FIELDS;
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
  // Page first, then decorate: the joins are made for the page's rows only, not for every
  // matching row before the sort. The window is the page's own order, so it costs no extra sort.
  const order = `${col} ${dir} NULLS LAST, d.id ${dir}`;
  const text = `WITH page AS (
      SELECT d.* FROM devices d ${whereAll ? `WHERE ${whereAll}` : ''} ORDER BY ${order} LIMIT $${params.push(args.limit)}
    )
    SELECT ${pageColumns(fields, 'w')}
    FROM page d JOIN device_models m ON m.id = d.model_id LEFT JOIN segments s ON s.id = d.segment_id
    WINDOW w AS (ORDER BY ${order})
    ORDER BY ${order}`;
  const { rows } = await pool.query<unknown[]>({ text, values: params, rowMode: 'array' });
  return toDeviceRows(rows, fields);
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

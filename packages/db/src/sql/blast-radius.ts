/**
 * The blast-radius query in SQL: the same tiers and reasons as `core/blast-radius/score.ts`,
 * computed where the contact graph lives, in one statement and one round trip: counts per segment
 * and tier, the requested page of the ranked list (with, for each device reached over the graph,
 * the neighbour one hop closer and who opened the connections), the compromised devices found and
 * the advisories they carry. Builders return text and bind parameters; nothing is interpolated
 * from input.
 *
 * The walk follows `device_contacts.peer_device_id` (resolved when the stream writes the contact)
 * through the partial indexes `device_contacts_walk_out_idx` / `_walk_in_idx`, so a hop is an
 * index-only lookup. `peerBy: 'ip'` walks by joining `peer_ip` to `devices.ip` instead (what the
 * graph cost before peers were resolved; kept for comparison in bench/response).
 *
 * Run it with `jit = off` (the pool sets it): the recursive CTE's cost estimate trips JIT
 * compilation, which costs more than the query.
 */

export interface BlastRadiusSqlOptions {
  compromisedIds: string[];
  /** Segments counted as compromised besides the compromised devices' own (an incident's segment). */
  extraSegmentIds?: string[] | undefined;
  /** Hops over the contact graph, 1–6. */
  maxHops: number;
  /** Only contacts seen since then; all when absent (a filter on the heap: slower). */
  since?: Date | undefined;
  includeUnpatchable?: boolean | undefined;
  peerBy?: 'device_id' | 'ip' | undefined;
}

export interface BlastRadiusCursor {
  tier: number;
  score: number;
  deviceId: string;
}

export interface BlastRadiusQuery {
  text: string;
  values: unknown[];
}

/** One ranked device of the page. */
export interface BlastRadiusSqlEntry {
  deviceId: string;
  segmentId: string | null;
  tier: 1 | 2 | 3 | 4;
  score: number;
  /** Hops from the nearest compromised device; null when not reached over the graph. */
  hops: number | null;
  /** The neighbour one hop closer to the compromised devices (the busiest such link). */
  via: string | null;
  /** `via` opened connections to this device (how a worm spreads) ... */
  contactedBy: boolean | null;
  /** ... and/or this device opened connections to `via`. */
  contacted: boolean | null;
  /** Flow reports and bytes between the two. */
  count: number | null;
  bytes: number | null;
  sameSegment: boolean;
  /** External ids of the compromised devices' advisories this device's firmware is exposed to. */
  advisories: string[] | null;
  fixAvailable: boolean | null;
  /** Same model and version as a compromised device (when those carry no known advisory). */
  sameFirmware: boolean;
  unpatchable: boolean;
  modelId: string;
  firmwareVersion: string | null;
}

export interface BlastRadiusSqlResult {
  /** Compromised devices that exist. */
  compromised: string[];
  /** Devices per segment and tier (segment null: devices without one). */
  counts: { segmentId: string | null; tier: 1 | 2 | 3 | 4; devices: number }[];
  entries: BlastRadiusSqlEntry[];
  /** External ids of the open advisories the compromised devices' firmware carries. */
  exploitedAdvisories: string[];
}

const inRange = (key: string) =>
  `(${key} IS NOT NULL AND (aa.introduced_key IS NULL OR ${key} >= aa.introduced_key)
    AND CASE WHEN aa.fixed_key IS NOT NULL THEN ${key} < aa.fixed_key
             WHEN aa.last_affected_key IS NOT NULL THEN ${key} <= aa.last_affected_key ELSE true END)`;

function ctes(o: BlastRadiusSqlOptions, values: unknown[]): string {
  const p = (v: unknown) => `$${values.push(v)}`;
  if (!Number.isInteger(o.maxHops) || o.maxHops < 1 || o.maxHops > 6) throw new RangeError('maxHops must be an integer from 1 to 6');
  const ids = p(o.compromisedIds);
  const segs = p(o.extraSegmentIds ?? []);
  const hops = p(o.maxHops);
  const since = o.since ? ` AND c.last_seen_at >= ${p(o.since)}` : '';
  // Neighbours of the frontier in both directions; each branch is an index(-only) scan.
  const neighbours =
    o.peerBy === 'ip'
      ? `SELECT p.id FROM device_contacts c JOIN devices p ON p.ip = c.peer_ip WHERE c.device_id = ANY(w.frontier)${since}
         UNION ALL
         SELECT c.device_id FROM devices me JOIN device_contacts c ON c.peer_ip = me.ip WHERE me.id = ANY(w.frontier)${since}`
      : `SELECT c.peer_device_id AS id FROM device_contacts c WHERE c.device_id = ANY(w.frontier) AND c.peer_device_id IS NOT NULL${since}
         UNION ALL
         SELECT c.device_id FROM device_contacts c WHERE c.peer_device_id = ANY(w.frontier)${since}`;
  return `
WITH RECURSIVE
compromised AS MATERIALIZED (
  SELECT d.id, d.segment_id, d.model_id, d.firmware_key, d.firmware_version FROM devices d WHERE d.id = ANY(${ids}::uuid[])
),
segments_hit AS MATERIALIZED (
  SELECT segment_id FROM compromised WHERE segment_id IS NOT NULL UNION SELECT unnest(${segs}::uuid[])
),
-- Breadth-first, one row per hop: the frontier and everything seen so far. Each device is expanded
-- once (a row-per-device walk would re-expand devices reached again at a larger hop count).
walk(hops, frontier, visited) AS (
  SELECT 0, array_agg(id), array_agg(id) FROM compromised HAVING count(*) > 0
  UNION ALL
  SELECT w.hops + 1, n.ids, w.visited || n.ids
  FROM walk w
  CROSS JOIN LATERAL (
    SELECT array_agg(x.id) AS ids FROM ((${neighbours}) EXCEPT SELECT unnest(w.visited)) x
  ) n
  WHERE w.hops < ${hops} AND n.ids IS NOT NULL
),
levels AS MATERIALIZED (
  SELECT unnest(frontier) AS device_id, hops FROM walk
),
exploited AS MATERIALIZED (
  SELECT DISTINCT aa.advisory_id FROM compromised d JOIN advisory_affected aa ON aa.model_id = d.model_id AND ${inRange('d.firmware_key')}
),
-- Devices exposed to those advisories (the advisory ids are looked up for the listed page only).
vulnerable AS (
  SELECT d.id AS device_id, bool_and(aa.fixed_release_id IS NOT NULL) AS fix_available
  FROM exploited e
  JOIN advisory_affected aa ON aa.advisory_id = e.advisory_id
  JOIN devices d ON d.model_id = aa.model_id AND ${inRange('d.firmware_key')}
  GROUP BY d.id
),
same_firmware AS (
  SELECT DISTINCT d.id AS device_id FROM devices d JOIN compromised c ON c.model_id = d.model_id AND c.firmware_version = d.firmware_version
  WHERE NOT EXISTS (SELECT 1 FROM exploited)
),
facts AS (
  SELECT d.id, d.segment_id, d.model_id, d.firmware_version, d.firmware_key, l.hops,
         sh.segment_id IS NOT NULL AS same_segment,
         v.device_id IS NOT NULL AS vulnerable, v.fix_available, sf.device_id IS NOT NULL AS same_fw, NOT m.ota_capable AS unpatchable
  FROM devices d
  JOIN device_models m ON m.id = d.model_id
  LEFT JOIN levels l ON l.device_id = d.id
  LEFT JOIN vulnerable v ON v.device_id = d.id
  LEFT JOIN same_firmware sf ON sf.device_id = d.id
  LEFT JOIN segments_hit sh ON sh.segment_id = d.segment_id
  WHERE d.status <> 'RETIRED' AND (l.hops IS NULL OR l.hops > 0)
),
ranked AS MATERIALIZED (
  SELECT * FROM (
    SELECT f.*,
      CASE WHEN f.hops = 1 THEN 1
           WHEN f.hops IS NOT NULL OR (f.same_segment AND (f.vulnerable OR f.same_fw)) THEN 2
           WHEN f.same_segment OR f.vulnerable OR f.same_fw THEN 3
           WHEN f.unpatchable AND ${p(o.includeUnpatchable ?? true)}::boolean THEN 4 END AS tier,
      -- In hundredths, integer arithmetic: 100 / hops, same segment 20, shared advisories 30 (+10
      -- without a fix) or same firmware 25, unpatchable 15.
      coalesce(10000 / f.hops, 0) + CASE WHEN f.same_segment THEN 2000 ELSE 0 END
        + CASE WHEN f.vulnerable THEN 3000 + CASE WHEN f.fix_available THEN 0 ELSE 1000 END WHEN f.same_fw THEN 2500 ELSE 0 END
        + CASE WHEN f.unpatchable THEN 1500 ELSE 0 END AS score
    FROM facts f
  ) x WHERE tier IS NOT NULL
)`;
}

/**
 * Everything `blastRadius` answers in one statement: counts per segment and tier, a page of the
 * ranked list (tier, then score: hops, same segment, shared advisories, unpatchable; then id) from
 * after `cursor`, the compromised devices and the advisories they carry. `limit` 0 gives counts only.
 */
export function blastRadiusSql(o: BlastRadiusSqlOptions & { limit: number; after?: BlastRadiusCursor | null }): BlastRadiusQuery {
  const values: unknown[] = [];
  const head = ctes(o, values);
  const p = (v: unknown) => `$${values.push(v)}`;
  const after = o.after
    ? `AND (r.tier > ${p(o.after.tier)} OR (r.tier = $${values.length} AND (r.score < ${p(Math.round(o.after.score * 100))}::int
          OR (r.score = $${values.length}::int AND r.id > ${p(o.after.deviceId)}::uuid))))`
    : '';
  const text = `${head},
page AS (
  SELECT r.* FROM ranked r WHERE true ${after}
  ORDER BY r.tier, r.score DESC, r.id LIMIT ${p(o.limit)}
),
-- For each listed device reached over the graph: the busiest link to a device one hop closer.
-- One pass over the listed devices' device-to-device contacts, both directions.
edges AS (
  SELECT c.peer_device_id AS me, c.device_id AS nb, c.outbound AS nb_opened, NOT c.outbound AS me_opened, c.count, c.bytes
  FROM device_contacts c WHERE c.peer_device_id = ANY(ARRAY(SELECT id FROM page WHERE hops IS NOT NULL))
  UNION ALL
  SELECT c.device_id, c.peer_device_id, NOT c.outbound, c.outbound, c.count, c.bytes
  FROM device_contacts c WHERE c.device_id = ANY(ARRAY(SELECT id FROM page WHERE hops IS NOT NULL)) AND c.peer_device_id IS NOT NULL
),
linked AS (
  SELECT DISTINCT ON (e.me) e.me AS id, e.nb AS via, e.contacted_by, e.contacted, e.count, e.bytes
  FROM (SELECT me, nb, bool_or(nb_opened) AS contacted_by, bool_or(me_opened) AS contacted, sum(count)::float8 AS count, sum(bytes)::float8 AS bytes
        FROM edges GROUP BY me, nb) e
  JOIN page pg ON pg.id = e.me
  JOIN levels l ON l.device_id = e.nb AND l.hops = pg.hops - 1
  ORDER BY e.me, e.count DESC, e.nb
),
-- The advisories of the listed vulnerable devices.
listed_advisories AS (
  SELECT pg.id, array_agg(DISTINCT a.external_id ORDER BY a.external_id) AS advisories
  FROM page pg
  JOIN advisory_affected aa ON aa.model_id = pg.model_id AND ${inRange('pg.firmware_key')}
  JOIN exploited e ON e.advisory_id = aa.advisory_id
  JOIN advisories a ON a.id = aa.advisory_id
  WHERE pg.vulnerable
  GROUP BY pg.id
)
SELECT
  (SELECT coalesce(array_agg(id::text), '{}') FROM compromised) AS compromised,
  (SELECT coalesce(array_agg(a.external_id ORDER BY a.external_id), '{}') FROM exploited e JOIN advisories a ON a.id = e.advisory_id) AS exploited,
  (SELECT coalesce(json_agg(json_build_array(segment_id, tier, n)), '[]') FROM (
     SELECT segment_id, tier, count(*)::int AS n FROM ranked GROUP BY segment_id, tier) s) AS counts,
  (SELECT coalesce(json_agg(json_build_object(
     'deviceId', pg.id, 'segmentId', pg.segment_id, 'tier', pg.tier, 'score', pg.score / 100.0, 'hops', pg.hops,
     'via', lk.via, 'contactedBy', lk.contacted_by, 'contacted', lk.contacted, 'count', lk.count, 'bytes', lk.bytes,
     'sameSegment', pg.same_segment, 'advisories', la.advisories, 'fixAvailable', pg.fix_available,
     'sameFirmware', pg.same_fw AND NOT pg.vulnerable, 'unpatchable', pg.unpatchable,
     'modelId', pg.model_id, 'firmwareVersion', pg.firmware_version
   ) ORDER BY pg.tier, pg.score DESC, pg.id), '[]')
   FROM page pg LEFT JOIN linked lk ON lk.id = pg.id LEFT JOIN listed_advisories la ON la.id = pg.id) AS entries`;
  return { text, values };
}

/** Every ranked device id with its tier, most exposed first (for playbook selectors and emergency patches). */
export function blastRadiusIdsSql(o: BlastRadiusSqlOptions & { maxTier?: number | undefined }): BlastRadiusQuery {
  const values: unknown[] = [];
  const head = ctes(o, values);
  const text = `${head}
SELECT id::text AS device_id, tier FROM ranked WHERE tier <= $${values.push(o.maxTier ?? 4)}
ORDER BY tier, score DESC, id`;
  return { text, values };
}

type Queryable = { query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }> };

/** Runs {@link blastRadiusSql} and shapes the row. */
export async function queryBlastRadius(
  db: Queryable,
  o: BlastRadiusSqlOptions & { limit: number; after?: BlastRadiusCursor | null },
): Promise<BlastRadiusSqlResult> {
  const q = blastRadiusSql(o);
  const { rows } = await db.query<{ compromised: string[]; exploited: string[]; counts: [string | null, 1 | 2 | 3 | 4, number][]; entries: BlastRadiusSqlEntry[] }>(q.text, q.values);
  const r = rows[0];
  if (!r) return { compromised: [], counts: [], entries: [], exploitedAdvisories: [] };
  return {
    compromised: r.compromised,
    exploitedAdvisories: r.exploited,
    counts: r.counts.map(([segmentId, tier, devices]) => ({ segmentId, tier, devices })),
    entries: r.entries,
  };
}

/** Runs {@link blastRadiusIdsSql}. */
export async function queryBlastRadiusIds(db: Queryable, o: BlastRadiusSqlOptions & { maxTier?: number | undefined }): Promise<{ deviceId: string; tier: 1 | 2 | 3 | 4 }[]> {
  const q = blastRadiusIdsSql(o);
  const { rows } = await db.query<{ device_id: string; tier: 1 | 2 | 3 | 4 }>(q.text, q.values);
  return rows.map((r) => ({ deviceId: r.device_id, tier: r.tier }));
}

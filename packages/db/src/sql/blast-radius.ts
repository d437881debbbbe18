/**
 * The blast-radius query in SQL: the same tiers as `core/blast-radius/score.ts`, computed where
 * the contact graph lives. Builders return text and bind parameters; nothing is interpolated
 * from input. Tables: `devices`, `device_models`, `device_contacts`, `advisories`,
 * `advisory_affected`.
 *
 * Run it on a connection with `jit = off`: the recursive CTE's cost estimate trips JIT compilation,
 * which costs more than the query. Indexes it relies on: `device_contacts (device_id)`,
 * `device_contacts (peer_device_id)` (or `(peer_ip)` and `devices (ip)` with `peerBy: 'ip'`).
 */

export interface BlastRadiusSqlOptions {
  compromisedIds: string[];
  /** Hops over the contact graph, 1–6. */
  maxHops: number;
  /** Only contacts seen since then (e.g. the last 7 days); all when absent. */
  since?: Date | undefined;
  includeUnpatchable?: boolean | undefined;
  /**
   * How a contact's peer becomes a device: by `device_contacts.peer_device_id`, or by matching
   * `peer_ip` to `devices.ip` (when the contacts table keeps only the address).
   */
  peerBy?: 'device_id' | 'ip' | undefined;
  /** The contacts table's last-seen column. */
  lastSeenColumn?: 'last_seen_at' | 'last_seen' | undefined;
}

export interface BlastRadiusQuery {
  text: string;
  values: unknown[];
}

/** One ranked device (`blastRadiusListSql`). */
export interface BlastRadiusSqlRow {
  device_id: string;
  segment_id: string | null;
  tier: 1 | 2 | 3 | 4;
  score: number;
  hops: number | null;
  reasons: unknown[];
}

/** One count row (`blastRadiusCountsSql`): per tier when `segment_id` is not grouped, per segment and tier otherwise. */
export interface BlastRadiusCountRow {
  grouped_by_segment: boolean;
  segment_id: string | null;
  tier: number;
  devices: number;
}

function ctes(o: BlastRadiusSqlOptions, values: unknown[]): string {
  const p = (v: unknown) => `$${values.push(v)}`;
  if (!Number.isInteger(o.maxHops) || o.maxHops < 1 || o.maxHops > 6) throw new RangeError('maxHops must be an integer from 1 to 6');
  const ids = p(o.compromisedIds);
  const hops = p(o.maxHops);
  const lastSeen = o.lastSeenColumn === 'last_seen' ? 'last_seen' : 'last_seen_at';
  const since = o.since ? ` AND c.${lastSeen} >= ${p(o.since)}` : '';
  const inRange = (key: string) =>
    `(${key} IS NOT NULL AND (aa.introduced_key IS NULL OR ${key} >= aa.introduced_key)
      AND CASE WHEN aa.fixed_key IS NOT NULL THEN ${key} < aa.fixed_key
               WHEN aa.last_affected_key IS NOT NULL THEN ${key} <= aa.last_affected_key ELSE true END)`;
  // Neighbours of the frontier in both directions; each branch can use an index on device_contacts.
  const neighbours =
    o.peerBy === 'device_id'
      ? `SELECT c.peer_device_id AS id FROM device_contacts c WHERE c.device_id = ANY(w.frontier) AND c.peer_device_id IS NOT NULL${since}
         UNION ALL
         SELECT c.device_id FROM device_contacts c WHERE c.peer_device_id = ANY(w.frontier)${since}`
      : `SELECT p.id FROM device_contacts c JOIN devices p ON p.ip = c.peer_ip WHERE c.device_id = ANY(w.frontier)${since}
         UNION ALL
         SELECT c.device_id FROM devices me JOIN device_contacts c ON c.peer_ip = me.ip WHERE me.id = ANY(w.frontier)${since}`;
  return `
WITH RECURSIVE
compromised AS (
  SELECT d.id, d.segment_id, d.model_id, d.firmware_key, d.firmware_version FROM devices d WHERE d.id = ANY(${ids}::uuid[])
),
-- Breadth-first, one row per hop: the frontier and everything seen so far. Each device is expanded
-- once (a row-per-device walk would re-expand devices reached again at a larger hop count).
walk(hops, frontier, visited) AS (
  SELECT 0, array_agg(id), array_agg(id) FROM compromised
  UNION ALL
  SELECT w.hops + 1, n.ids, w.visited || n.ids
  FROM walk w
  CROSS JOIN LATERAL (
    SELECT array_agg(x.id) AS ids FROM ((${neighbours}) EXCEPT SELECT unnest(w.visited)) x
  ) n
  WHERE w.hops < ${hops} AND n.ids IS NOT NULL
),
reached AS (
  SELECT unnest(frontier) AS device_id, hops FROM walk WHERE hops > 0
),
exploited AS (
  SELECT DISTINCT aa.advisory_id FROM compromised d JOIN advisory_affected aa ON aa.model_id = d.model_id AND ${inRange('d.firmware_key')}
),
vulnerable AS (
  SELECT d.id AS device_id, array_agg(DISTINCT a.external_id ORDER BY a.external_id) AS advisories,
         bool_and(aa.fixed_release_id IS NOT NULL) AS fix_available
  FROM devices d
  JOIN advisory_affected aa ON aa.model_id = d.model_id AND ${inRange('d.firmware_key')}
  JOIN exploited e ON e.advisory_id = aa.advisory_id
  JOIN advisories a ON a.id = aa.advisory_id
  GROUP BY d.id
),
same_firmware AS (
  SELECT DISTINCT d.id AS device_id FROM devices d JOIN compromised c ON c.model_id = d.model_id AND c.firmware_version = d.firmware_version
  WHERE NOT EXISTS (SELECT 1 FROM exploited)
),
facts AS (
  SELECT d.id, d.segment_id, r.hops,
         d.segment_id IN (SELECT segment_id FROM compromised WHERE segment_id IS NOT NULL) AS same_segment,
         v.advisories, v.fix_available, sf.device_id IS NOT NULL AS same_fw, NOT m.ota_capable AS unpatchable
  FROM devices d
  JOIN device_models m ON m.id = d.model_id
  LEFT JOIN reached r ON r.device_id = d.id
  LEFT JOIN vulnerable v ON v.device_id = d.id
  LEFT JOIN same_firmware sf ON sf.device_id = d.id
  WHERE d.id <> ALL(${ids}::uuid[]) AND d.status <> 'RETIRED'
),
ranked AS (
  SELECT f.*,
    CASE WHEN f.hops = 1 THEN 1
         WHEN f.hops IS NOT NULL OR (f.same_segment AND (f.advisories IS NOT NULL OR f.same_fw)) THEN 2
         WHEN f.same_segment OR f.advisories IS NOT NULL OR f.same_fw THEN 3
         WHEN f.unpatchable AND ${p(o.includeUnpatchable ?? true)}::boolean THEN 4 END AS tier,
    coalesce(100.0 / f.hops, 0) + CASE WHEN f.same_segment THEN 20 ELSE 0 END
      + CASE WHEN f.advisories IS NOT NULL THEN 30 + CASE WHEN f.fix_available THEN 0 ELSE 10 END WHEN f.same_fw THEN 25 ELSE 0 END
      + CASE WHEN f.unpatchable THEN 15 ELSE 0 END AS score
  FROM facts f
)`;
}

/**
 * The ranked list: tier, then score (hops, shared advisories, unpatchable; contact volume is not
 * part of the SQL score), then id; keyset-free paging by `limit`/`offset`.
 */
export function blastRadiusListSql(o: BlastRadiusSqlOptions & { limit: number; offset?: number }): BlastRadiusQuery {
  const values: unknown[] = [];
  const head = ctes(o, values);
  const limit = `$${values.push(o.limit)}`;
  const offset = `$${values.push(o.offset ?? 0)}`;
  const text = `${head}
SELECT id::text AS device_id, segment_id::text AS segment_id, tier, round(score::numeric, 2)::float8 AS score, hops,
  jsonb_path_query_array(jsonb_build_array(
    CASE WHEN hops IS NOT NULL THEN jsonb_build_object('kind', 'CONTACTED', 'hops', hops) END,
    CASE WHEN same_segment THEN jsonb_build_object('kind', 'SAME_SEGMENT', 'segmentId', segment_id) END,
    CASE WHEN advisories IS NOT NULL THEN jsonb_build_object('kind', 'VULNERABLE_FIRMWARE', 'advisories', to_jsonb(advisories), 'fixAvailable', fix_available) END,
    CASE WHEN same_fw AND advisories IS NULL THEN jsonb_build_object('kind', 'SAME_FIRMWARE') END,
    CASE WHEN unpatchable THEN jsonb_build_object('kind', 'UNPATCHABLE') END
  ), '$[*] ? (@ != null)') AS reasons
FROM ranked WHERE tier IS NOT NULL
ORDER BY tier, score DESC, id
LIMIT ${limit} OFFSET ${offset}`;
  return { text, values };
}

/** Counts per tier and per segment and tier, in one pass (GROUPING SETS). */
export function blastRadiusCountsSql(o: BlastRadiusSqlOptions): BlastRadiusQuery {
  const values: unknown[] = [];
  const head = ctes(o, values);
  const text = `${head}
SELECT GROUPING(segment_id) = 0 AS grouped_by_segment, segment_id::text AS segment_id, tier, count(*)::int AS devices
FROM ranked WHERE tier IS NOT NULL
GROUP BY GROUPING SETS ((tier), (segment_id, tier))
ORDER BY grouped_by_segment, segment_id NULLS FIRST, tier`;
  return { text, values };
}

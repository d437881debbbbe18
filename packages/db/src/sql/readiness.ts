/**
 * Readiness aggregates in SQL: exposure per advisory (per segment and per firmware), devices and
 * unpatchable devices per segment, devices exposed to any advisory per segment, and the segment
 * links seen in the contact graph. The fleet never leaves the database; `core/readiness` runs the
 * worm-reach walk over these few rows. One statement, one round trip.
 */

type Queryable = { query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }> };

export interface ReadinessAggregates {
  /** Per advisory: exposed devices, of which unpatchable, and patchable now (OTA and a fixed release exists). */
  advisories: { advisoryId: string; externalId: string; severity: string; exposed: number; unpatchable: number; patchableNow: number }[];
  advisorySegments: { advisoryId: string; segmentId: string | null; devices: number }[];
  advisoryFirmware: { advisoryId: string; modelId: string; version: string | null; devices: number }[];
  /** Per segment (null: no segment): devices, devices that cannot be patched, devices exposed to any advisory and how many of those cannot be patched. */
  segments: { segmentId: string | null; devices: number; unpatchable: number; vulnerable: number; vulnerableUnpatchable: number }[];
  /** Directed: devices of `from` opened connections to devices of `to`. */
  links: { from: string; to: string }[];
}

const inRange = (key: string) =>
  `(${key} IS NOT NULL AND (aa.introduced_key IS NULL OR ${key} >= aa.introduced_key)
    AND CASE WHEN aa.fixed_key IS NOT NULL THEN ${key} < aa.fixed_key
             WHEN aa.last_affected_key IS NOT NULL THEN ${key} <= aa.last_affected_key ELSE true END)`;

/** The readiness aggregates for the whole fleet, or one site's segments. */
export async function queryReadinessAggregates(db: Queryable, opts: { siteId?: string | null } = {}): Promise<ReadinessAggregates> {
  const values: unknown[] = [opts.siteId ?? null];
  const text = `
WITH fleet AS MATERIALIZED (
  SELECT d.id, d.segment_id, d.model_id, d.firmware_version, d.firmware_key, m.ota_capable
  FROM devices d JOIN device_models m ON m.id = d.model_id
  WHERE d.status <> 'RETIRED'
    AND ($1::uuid IS NULL OR d.segment_id IN (SELECT id FROM segments WHERE site_id = $1::uuid))
),
-- One row per advisory and device (a device in two ranges of one advisory counts once).
exposed AS MATERIALIZED (
  SELECT aa.advisory_id, d.id AS device_id, d.segment_id, d.model_id, d.firmware_version, d.ota_capable,
         bool_or(aa.fixed_release_id IS NOT NULL) AS fix_available
  FROM advisory_affected aa JOIN fleet d ON d.model_id = aa.model_id AND ${inRange('d.firmware_key')}
  GROUP BY aa.advisory_id, d.id, d.segment_id, d.model_id, d.firmware_version, d.ota_capable
),
vulnerable AS (
  SELECT DISTINCT device_id, segment_id, ota_capable FROM exposed
),
-- Segment pairs that talked: device-to-device contacts only (an index-only scan of the walk index).
links AS (
  SELECT DISTINCT CASE WHEN c.outbound THEN a.segment_id ELSE b.segment_id END AS from_segment,
                  CASE WHEN c.outbound THEN b.segment_id ELSE a.segment_id END AS to_segment
  FROM device_contacts c
  JOIN devices a ON a.id = c.device_id
  JOIN devices b ON b.id = c.peer_device_id
  WHERE c.peer_device_id IS NOT NULL AND a.segment_id <> b.segment_id AND a.status <> 'RETIRED' AND b.status <> 'RETIRED'
    AND ($1::uuid IS NULL OR (a.segment_id IN (SELECT id FROM segments WHERE site_id = $1::uuid)
                              AND b.segment_id IN (SELECT id FROM segments WHERE site_id = $1::uuid)))
)
SELECT
  (SELECT coalesce(json_agg(json_build_array(a.id, a.external_id, a.severity, x.exposed, x.unpatchable, x.patchable) ORDER BY x.exposed DESC, a.external_id), '[]')
   FROM advisories a
   JOIN (SELECT a2.id, count(e.device_id)::int AS exposed,
                count(e.device_id) FILTER (WHERE NOT e.ota_capable)::int AS unpatchable,
                count(e.device_id) FILTER (WHERE e.ota_capable AND e.fix_available)::int AS patchable
         FROM advisories a2 LEFT JOIN exposed e ON e.advisory_id = a2.id
         WHERE EXISTS (SELECT 1 FROM advisory_affected aa WHERE aa.advisory_id = a2.id)
         GROUP BY a2.id) x ON x.id = a.id) AS advisories,
  (SELECT coalesce(json_agg(json_build_array(advisory_id, segment_id, n)), '[]')
   FROM (SELECT advisory_id, segment_id, count(*)::int AS n FROM exposed GROUP BY 1, 2) s) AS advisory_segments,
  (SELECT coalesce(json_agg(json_build_array(advisory_id, model_id, firmware_version, n)), '[]')
   FROM (SELECT advisory_id, model_id, firmware_version, count(*)::int AS n FROM exposed GROUP BY 1, 2, 3) f) AS advisory_firmware,
  (SELECT coalesce(json_agg(json_build_array(t.segment_id, t.devices, t.unpatchable, coalesce(v.vulnerable, 0), coalesce(v.vulnerable_unpatchable, 0))), '[]')
   FROM (SELECT segment_id, count(*)::int AS devices, count(*) FILTER (WHERE NOT ota_capable)::int AS unpatchable FROM fleet GROUP BY 1) t
   LEFT JOIN (SELECT segment_id, count(*)::int AS vulnerable, count(*) FILTER (WHERE NOT ota_capable)::int AS vulnerable_unpatchable
              FROM vulnerable GROUP BY 1) v ON v.segment_id IS NOT DISTINCT FROM t.segment_id) AS segments,
  (SELECT coalesce(json_agg(json_build_array(from_segment, to_segment)), '[]') FROM links) AS links`;
  const { rows } = await db.query<{
    advisories: [string, string, string, number, number, number][];
    advisory_segments: [string, string | null, number][];
    advisory_firmware: [string, string, string | null, number][];
    segments: [string | null, number, number, number, number][];
    links: [string, string][];
  }>(text, values);
  const r = rows[0]!;
  return {
    advisories: r.advisories.map(([advisoryId, externalId, severity, exposed, unpatchable, patchableNow]) => ({ advisoryId, externalId, severity, exposed, unpatchable, patchableNow })),
    advisorySegments: r.advisory_segments.map(([advisoryId, segmentId, devices]) => ({ advisoryId, segmentId, devices })),
    advisoryFirmware: r.advisory_firmware.map(([advisoryId, modelId, version, devices]) => ({ advisoryId, modelId, version, devices })),
    segments: r.segments.map(([segmentId, devices, unpatchable, vulnerable, vulnerableUnpatchable]) => ({ segmentId, devices, unpatchable, vulnerable, vulnerableUnpatchable })),
    links: r.links.map(([from, to]) => ({ from, to })),
  };
}

/** Read side of telemetry: the queries behind the GraphQL telemetry module and detection. */

/** What these queries need: `pg`'s `query(text, values)`. */
export interface SqlQueryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SegmentLiveness {
  segmentId: string;
  /** Devices of the segment that have reported telemetry at least once. */
  reporting: number;
  offline: number;
  /** Of those offline, how many went silent within the window. */
  wentOfflineInWindow: number;
}

export async function segmentLivenessCounts(pool: SqlQueryable, windowSeconds: number): Promise<SegmentLiveness[]> {
  const { rows } = await pool.query<{ segment_id: string; reporting: bigint | string; offline: bigint | string; recent: bigint | string }>(
    `SELECT d.segment_id,
            count(*) AS reporting,
            count(*) FILTER (WHERE NOT s.online) AS offline,
            count(*) FILTER (WHERE NOT s.online AND s.online_changed_at >= now() - make_interval(secs => $1::float8)) AS recent
     FROM device_state s JOIN devices d ON d.id = s.device_id
     WHERE d.segment_id IS NOT NULL AND d.status <> 'RETIRED'
     GROUP BY d.segment_id`,
    [windowSeconds],
  );
  return rows.map((r) => ({
    segmentId: r.segment_id,
    reporting: Number(r.reporting),
    offline: Number(r.offline),
    wentOfflineInWindow: Number(r.recent),
  }));
}

export interface SeriesBucket {
  /** Start of the bucket. */
  at: Date;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/** One metric of one device, averaged into fixed buckets (`date_bin`) over [from, to). */
export async function telemetrySeries(
  pool: SqlQueryable,
  q: { deviceId: string; metric: string; from: Date; to: Date; bucketSeconds: number },
): Promise<SeriesBucket[]> {
  const { rows } = await pool.query<{ at: Date; avg: number; min: number; max: number; count: bigint | string }>(
    `SELECT date_bin(make_interval(secs => $5::float8), ts, timestamptz '2000-01-01T00:00:00Z') AS at,
            avg(v) AS avg, min(v) AS min, max(v) AS max, count(*) AS count
     FROM (SELECT ts, (metrics ->> $2)::float8 AS v FROM telemetry_points
           WHERE device_id = $1::uuid AND ts >= $3::timestamptz AND ts < $4::timestamptz AND metrics ? $2) p
     GROUP BY 1 ORDER BY 1`,
    [q.deviceId, q.metric, q.from, q.to, q.bucketSeconds],
  );
  return rows.map((r) => ({ at: new Date(r.at), avg: Number(r.avg), min: Number(r.min), max: Number(r.max), count: Number(r.count) }));
}

export interface FleetLiveness {
  online: number;
  offline: number;
  /** Registered devices that never sent telemetry. */
  neverSeen: number;
}

/** Online/offline counts over the fleet (retired devices excluded), optionally one segment or site. */
export async function fleetLivenessCounts(pool: SqlQueryable, filter: { segmentId?: string; siteId?: string } = {}): Promise<FleetLiveness> {
  const { rows } = await pool.query<{ online: bigint | string; offline: bigint | string; never: bigint | string }>(
    `SELECT count(*) FILTER (WHERE s.online) AS online,
            count(*) FILTER (WHERE NOT s.online) AS offline,
            count(*) FILTER (WHERE s.device_id IS NULL) AS never
     FROM devices d
     LEFT JOIN device_state s ON s.device_id = d.id
     LEFT JOIN segments g ON g.id = d.segment_id
     WHERE d.status <> 'RETIRED'
       AND ($1::uuid IS NULL OR d.segment_id = $1::uuid)
       AND ($2::uuid IS NULL OR g.site_id = $2::uuid)`,
    [filter.segmentId ?? null, filter.siteId ?? null],
  );
  const r = rows[0]!;
  return { online: Number(r.online), offline: Number(r.offline), neverSeen: Number(r.never) };
}

/** Read side of telemetry: the queries behind the GraphQL telemetry module and detection. */

/** What these queries need: `pg`'s `query(text, values)`. */
export interface SqlQueryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SeriesBucket {
  /** Start of the bucket. */
  at: Date;
  avg: number;
  min: number;
  max: number;
  count: number;
  /** Readings received while the device was quarantined. */
  quarantined: number;
}

/** One metric of one device, averaged into fixed buckets (`date_bin`) over [from, to). */
export async function telemetrySeries(
  pool: SqlQueryable,
  q: { deviceId: string; metric: string; from: Date; to: Date; bucketSeconds: number },
): Promise<SeriesBucket[]> {
  const { rows } = await pool.query<{ at: Date; avg: number; min: number; max: number; count: bigint | string; quarantined: bigint | string }>(
    `SELECT date_bin(make_interval(secs => $5::float8), ts, timestamptz '2000-01-01T00:00:00Z') AS at,
            avg(v) AS avg, min(v) AS min, max(v) AS max, count(*) AS count, count(*) FILTER (WHERE quarantined) AS quarantined
     FROM (SELECT ts, (metrics ->> $2)::float8 AS v, quarantined FROM telemetry_points
           WHERE device_id = $1::uuid AND ts >= $3::timestamptz AND ts < $4::timestamptz AND metrics ? $2) p
     GROUP BY 1 ORDER BY 1`,
    [q.deviceId, q.metric, q.from, q.to, q.bucketSeconds],
  );
  return rows.map((r) => ({ at: new Date(r.at), avg: Number(r.avg), min: Number(r.min), max: Number(r.max), count: Number(r.count), quarantined: Number(r.quarantined) }));
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

import type { SqlClient } from './pool.js';

/** What detection's statements need: `pg`'s `query(text, values)`. */
type Queryable = Pick<SqlClient, 'query'>;

export interface ModelVersion {
  modelId: string;
  version: string;
}

export interface ReleaseHashes extends ModelVersion {
  /** Lower-case hex SHA-256 of every artifact of the model's release with that version. */
  sha256: string[];
}

/**
 * The artifact digests of the releases with these (model, version) pairs, in one statement.
 * Pairs with no release are simply absent from the result.
 */
export async function releaseArtifactHashes(db: Queryable, pairs: readonly ModelVersion[]): Promise<ReleaseHashes[]> {
  if (!pairs.length) return [];
  const { rows } = await db.query<{ model_id: string; version: string; sha256: string[] }>(
    `SELECT r.model_id, r.version, array_agg(DISTINCT lower(a.sha256)) AS sha256
       FROM unnest($1::uuid[], $2::text[]) AS q(model_id, version)
       JOIN releases r ON r.model_id = q.model_id AND r.version = q.version
       JOIN release_artifacts ra ON ra.release_id = r.id
       JOIN artifacts a ON a.id = ra.artifact_id
      GROUP BY r.model_id, r.version`,
    [pairs.map((p) => p.modelId), pairs.map((p) => p.version)],
  );
  return rows.map((r) => ({ modelId: r.model_id, version: r.version, sha256: r.sha256 }));
}

export interface SegmentLivenessRow {
  segmentId: string;
  /** Online now, or went offline within the window (alive when the window began). */
  population: number;
  /** Went offline within the window and still offline. */
  wentOffline: number;
  /** Up to 100 of those, most recent first. */
  devices: string[];
}

/**
 * Liveness of these segments over the last `windowSeconds`, plus the database clock and the
 * newest report from any device (to tell a silent segment from a stalled pipeline). Reads
 * `device_state` as the liveness sweep left it; retired devices do not count.
 */
export async function segmentLivenessSnapshot(
  db: Queryable,
  segmentIds: readonly string[],
  windowSeconds: number,
): Promise<{ now: Date; fleetLastHeardAt: Date | null; segments: SegmentLivenessRow[] }> {
  // One after the other: both may run on the caller's transaction connection.
  const clock = await db.query<{ now: Date; newest: Date | null }>('SELECT now() AS now, (SELECT max(last_seen_at) FROM device_state) AS newest');
  const counts = await db.query<{ segment_id: string; population: string; went_offline: string; devices: string[] | null }>(
    `SELECT d.segment_id,
            count(*) FILTER (WHERE s.online OR s.online_changed_at >= now() - make_interval(secs => $2::float8)) AS population,
            count(*) FILTER (WHERE NOT s.online AND s.online_changed_at >= now() - make_interval(secs => $2::float8)) AS went_offline,
            (array_agg(d.id ORDER BY s.online_changed_at DESC)
               FILTER (WHERE NOT s.online AND s.online_changed_at >= now() - make_interval(secs => $2::float8)))[1:100] AS devices
       FROM devices d JOIN device_state s ON s.device_id = d.id
      WHERE d.segment_id = ANY($1::uuid[]) AND d.status <> 'RETIRED'
      GROUP BY d.segment_id`,
    [segmentIds, windowSeconds],
  );
  const c = clock.rows[0]!;
  return {
    now: c.now,
    fleetLastHeardAt: c.newest,
    segments: counts.rows.map((r) => ({ segmentId: r.segment_id, population: Number(r.population), wentOffline: Number(r.went_offline), devices: r.devices ?? [] })),
  };
}

/**
 * Locks the detection state rows of these segments (creating missing ones) in id order, so
 * concurrent sweeps of one segment run one after the other, and returns their states.
 */
export async function lockSegmentDetectionStates(db: Queryable, segmentIds: readonly string[]): Promise<Map<string, unknown>> {
  const ids = [...new Set(segmentIds)].sort();
  await db.query(
    `INSERT INTO segment_detection_state (segment_id, state)
     SELECT s.id, '{}'::jsonb FROM segments s WHERE s.id = ANY($1::uuid[]) ORDER BY s.id
     ON CONFLICT (segment_id) DO NOTHING`,
    [ids],
  );
  const { rows } = await db.query<{ segment_id: string; state: unknown }>(
    'SELECT segment_id, state FROM segment_detection_state WHERE segment_id = ANY($1::uuid[]) ORDER BY segment_id FOR UPDATE',
    [ids],
  );
  return new Map(rows.map((r) => [r.segment_id, r.state]));
}

export async function saveSegmentDetectionStates(db: Queryable, states: ReadonlyMap<string, unknown>): Promise<void> {
  if (!states.size) return;
  await db.query(
    `UPDATE segment_detection_state s SET state = u.state, updated_at = now()
       FROM unnest($1::uuid[], $2::jsonb[]) AS u(segment_id, state)
      WHERE s.segment_id = u.segment_id`,
    [[...states.keys()], [...states.values()].map((v) => JSON.stringify(v))],
  );
}

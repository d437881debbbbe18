import type { SqlClient, SqlPool } from './pool.js';

/**
 * The stream processor's writes: three set-based statements per batch, whatever its size.
 * Arrays are passed as parameters and expanded with UNNEST, so a batch of thousands of messages
 * costs three round trips and no per-row SQL.
 */

type Queryable = Pick<SqlClient, 'query'>;

export interface PointRow {
  deviceId: string;
  /** Device timestamp, ISO 8601 with millisecond precision. */
  ts: string;
  seq: number;
  receivedAt: string;
  metrics: Record<string, number>;
  events: unknown[] | null;
}

/** Key of a stored point: `${deviceId}|${seq}|${epoch ms}`. */
export const pointKey = (deviceId: string, seq: number | string, tsMs: number): string => `${deviceId}|${seq}|${tsMs}`;

/**
 * Appends points, skipping the ones already stored (same device, ts and seq). Returns the keys
 * (see {@link pointKey}) of the points this call stored, so the caller can derive everything
 * else from new data only and a replay changes nothing.
 */
export async function insertTelemetryPoints(db: Queryable, rows: PointRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const { rows: inserted } = await db.query<{ device_id: string; seq: string; ms: string }>(
    `INSERT INTO telemetry_points (device_id, ts, seq, received_at, metrics, events)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::timestamptz[], $5::jsonb[], $6::jsonb[])
     ON CONFLICT (device_id, ts, seq) DO NOTHING
     RETURNING device_id, seq, (extract(epoch from ts) * 1000)::bigint AS ms`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.ts),
      rows.map((r) => r.seq),
      rows.map((r) => r.receivedAt),
      rows.map((r) => JSON.stringify(r.metrics)),
      rows.map((r) => (r.events?.length ? JSON.stringify(r.events) : null)),
    ],
  );
  return new Set(inserted.map((r) => pointKey(r.device_id, r.seq, Number(r.ms))));
}

export interface ContactRow {
  deviceId: string;
  peerIp: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'icmp' | 'other';
  outbound: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  bytes: number;
  packets: number;
  count: number;
}

/** Adds flow aggregates to the device contact graph (one row per device, peer, port, protocol). */
export async function upsertDeviceContacts(db: Queryable, rows: ContactRow[]): Promise<void> {
  if (!rows.length) return;
  // GROUP BY again in SQL: two spellings of one IPv6 address are one inet, and ON CONFLICT may
  // not touch a row twice in one statement. ORDER BY keeps lock order stable across processors.
  await db.query(
    `INSERT INTO device_contacts AS c
       (device_id, peer_ip, port, protocol, outbound, first_seen_at, last_seen_at, bytes, packets, count)
     SELECT t.device_id, t.peer_ip, t.port, t.protocol, bool_or(t.outbound), min(t.first_seen_at), max(t.last_seen_at),
            sum(t.bytes), sum(t.packets), sum(t.count)
     FROM unnest($1::uuid[], $2::inet[], $3::int[], $4::"FlowProtocol"[], $5::bool[], $6::timestamptz[],
                 $7::timestamptz[], $8::bigint[], $9::bigint[], $10::bigint[])
          AS t(device_id, peer_ip, port, protocol, outbound, first_seen_at, last_seen_at, bytes, packets, count)
     WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = t.device_id)
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
     ON CONFLICT (device_id, peer_ip, port, protocol) DO UPDATE SET
       outbound = c.outbound OR excluded.outbound,
       first_seen_at = LEAST(c.first_seen_at, excluded.first_seen_at),
       last_seen_at = GREATEST(c.last_seen_at, excluded.last_seen_at),
       bytes = c.bytes + excluded.bytes,
       packets = c.packets + excluded.packets,
       count = c.count + excluded.count`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.peerIp),
      rows.map((r) => r.port),
      rows.map((r) => r.protocol),
      rows.map((r) => r.outbound),
      rows.map((r) => r.firstSeenAt),
      rows.map((r) => r.lastSeenAt),
      rows.map((r) => r.bytes),
      rows.map((r) => r.packets),
      rows.map((r) => r.count),
    ],
  );
}

export interface StateRow {
  deviceId: string;
  /** Gateway receive time of the device's newest message in the batch. */
  lastSeenAt: string;
  lastTs: string;
  lastSeq: number;
  metrics: Record<string, number>;
  firmwareVersion: string | null;
  firmwareHash: string | null;
  ip: string | null;
  intervalSeconds: number | null;
}

export interface StateChange {
  deviceId: string;
  segmentId: string | null;
  /** The device was offline (or never heard from) before this batch. */
  cameOnline: boolean;
  lastSeenAt: Date;
}

/**
 * Upserts each device's latest state and `devices.last_seen_at` (to 30 s) in one statement (one row per
 * device; the caller passes each device's newest message). Older data never overwrites newer:
 * metrics merge so a metric reported less often keeps its last value.
 */
export async function upsertDeviceState(db: Queryable, rows: StateRow[]): Promise<StateChange[]> {
  if (!rows.length) return [];
  const { rows: changed } = await db.query<{ device_id: string; segment_id: string | null; came_online: boolean; last_seen_at: Date }>(
    `WITH input AS (
       SELECT t.* FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::jsonb[], $6::text[],
                              $7::text[], $8::inet[], $9::int[])
         AS t(device_id, last_seen_at, last_ts, last_seq, metrics, firmware_version, firmware_hash, ip, interval)
       WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = t.device_id)
     ), upserted AS (
       INSERT INTO device_state AS s (device_id, last_seen_at, last_ts, last_seq, metrics, firmware_version, firmware_hash,
                                      ip, expected_interval_seconds, online, online_changed_at, updated_at)
       SELECT device_id, last_seen_at, last_ts, last_seq, metrics, firmware_version, firmware_hash, ip, interval,
              true, now(), now()
       FROM input ORDER BY device_id
       ON CONFLICT (device_id) DO UPDATE SET
         last_seen_at = GREATEST(s.last_seen_at, excluded.last_seen_at),
         last_ts = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq) THEN excluded.last_ts ELSE s.last_ts END,
         last_seq = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq) THEN excluded.last_seq ELSE s.last_seq END,
         metrics = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq)
                        THEN s.metrics || excluded.metrics ELSE excluded.metrics || s.metrics END,
         firmware_version = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq)
                        THEN COALESCE(excluded.firmware_version, s.firmware_version) ELSE COALESCE(s.firmware_version, excluded.firmware_version) END,
         firmware_hash = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq)
                        THEN COALESCE(excluded.firmware_hash, s.firmware_hash) ELSE COALESCE(s.firmware_hash, excluded.firmware_hash) END,
         ip = CASE WHEN (excluded.last_ts, excluded.last_seq) >= (s.last_ts, s.last_seq)
                        THEN COALESCE(excluded.ip, s.ip) ELSE COALESCE(s.ip, excluded.ip) END,
         expected_interval_seconds = COALESCE(excluded.expected_interval_seconds, s.expected_interval_seconds),
         online_changed_at = CASE WHEN s.online THEN s.online_changed_at ELSE now() END,
         online = true,
         updated_at = now()
       RETURNING s.device_id, s.last_seen_at, (s.online_changed_at = now()::timestamptz(3)) AS came_online
     ), touched AS (
       -- devices.last_seen_at is for the registry (filters, sorting): refreshed at most every
       -- 30 s, because each update of that wide, well-indexed row is costly. device_state has the exact time.
       UPDATE devices d SET last_seen_at = u.last_seen_at AT TIME ZONE 'UTC'
       FROM upserted u
       WHERE d.id = u.device_id
         AND (d.last_seen_at IS NULL OR d.last_seen_at < (u.last_seen_at AT TIME ZONE 'UTC') - interval '30 seconds')
     )
     SELECT u.device_id, d.segment_id, u.came_online, u.last_seen_at
     FROM upserted u JOIN devices d ON d.id = u.device_id`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.lastSeenAt),
      rows.map((r) => r.lastTs),
      rows.map((r) => r.lastSeq),
      rows.map((r) => JSON.stringify(r.metrics)),
      rows.map((r) => r.firmwareVersion),
      rows.map((r) => r.firmwareHash),
      rows.map((r) => r.ip),
      rows.map((r) => r.intervalSeconds),
    ],
  );
  return changed.map((r) => ({ deviceId: r.device_id, segmentId: r.segment_id, cameOnline: r.came_online, lastSeenAt: r.last_seen_at }));
}

export interface WentOffline {
  deviceId: string;
  segmentId: string | null;
  lastSeenAt: Date;
}

/**
 * Marks OFFLINE every online device not heard from within `graceFactor` times its expected
 * interval, and returns them. Each device flips once even with several processors sweeping
 * (the UPDATE's row locks and `WHERE online` see to it). Runs inside the caller's transaction,
 * so the caller can publish the events before committing.
 */
export async function markSilentDevicesOffline(
  db: Queryable,
  opts: { defaultIntervalSeconds: number; graceFactor: number; limit: number },
): Promise<WentOffline[]> {
  const { rows } = await db.query<{ device_id: string; segment_id: string | null; last_seen_at: Date }>(
    `WITH silent AS (
       SELECT s.device_id FROM device_state s
       WHERE s.online
         AND s.last_seen_at < now() - make_interval(secs => COALESCE(s.expected_interval_seconds, $1) * $2::float8)
       ORDER BY s.device_id
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     )
     UPDATE device_state s SET online = false, online_changed_at = now(), updated_at = now()
     FROM silent, devices d
     WHERE s.device_id = silent.device_id AND d.id = s.device_id
     RETURNING s.device_id, d.segment_id, s.last_seen_at`,
    [opts.defaultIntervalSeconds, opts.graceFactor, opts.limit],
  );
  return rows.map((r) => ({ deviceId: r.device_id, segmentId: r.segment_id, lastSeenAt: r.last_seen_at }));
}

/** Creates the day partitions ahead and drops the ones past retention. Returns their names. */
export async function maintainTelemetryPartitions(
  pool: SqlPool | Queryable,
  opts: { retentionDays: number; aheadDays: number },
): Promise<{ created: string[]; dropped: string[] }> {
  const { rows } = await pool.query<{ created: string[]; dropped: string[] }>(
    'SELECT * FROM warden_telemetry_maintain($1, $2)',
    [opts.retentionDays, opts.aheadDays],
  );
  return rows[0] ?? { created: [], dropped: [] };
}

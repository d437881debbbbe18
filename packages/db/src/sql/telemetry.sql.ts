import { arrayLiteral, jsonArrayDocument } from './array-literal.js';
import type { SqlClient, SqlPool } from './pool.js';

/**
 * The stream processor's writes: three set-based statements per batch, whatever its size.
 * Columns are passed as array literals (JSON columns as one JSON array document) and zipped back
 * into rows with `ROWS FROM (unnest(...), jsonb_array_elements(...))`, so a batch of thousands of
 * messages costs three round trips, no per-row SQL, and little client CPU to encode.
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
  /** Received while the device was quarantined. */
  quarantined?: boolean;
}

/** Key of a stored point: `${deviceId}|${seq}|${epoch ms}`. */
export const pointKey = (deviceId: string, seq: number | string, tsMs: number): string => `${deviceId}|${seq}|${tsMs}`;

/** What {@link insertTelemetryPoints} stored. */
export interface StoredPoints {
  /** Points stored by this call (the others were stored before). */
  stored: number;
  /**
   * Keys (see {@link pointKey}) of the points stored, when some were not; undefined when every
   * row was new, the common case, which spares reading a row back per point.
   */
  keys?: Set<string>;
}

/**
 * Appends points, skipping the ones already stored (same device, ts and seq), and says which it
 * stored, so the caller can derive everything else from new data only and a replay changes nothing.
 */
export async function insertTelemetryPoints(db: Queryable, rows: PointRow[]): Promise<StoredPoints> {
  if (!rows.length) return { stored: 0 };
  const { rows: result } = await db.query<{ stored: number; keys: string[] | null }>(
    // Key order: neighbouring index entries, and one lock order for batches that overlap. The keys
    // are read back only when some points were there already (a replay).
    `WITH ins AS (
       INSERT INTO telemetry_points (device_id, ts, seq, received_at, metrics, events, quarantined)
       SELECT t.device_id, t.ts, t.seq, t.received_at, t.metrics, NULLIF(t.events, 'null'::jsonb), t.quarantined
       FROM ROWS FROM (unnest($1::uuid[]), unnest($2::timestamptz[]), unnest($3::bigint[]), unnest($4::timestamptz[]),
                       jsonb_array_elements($5::jsonb), jsonb_array_elements($6::jsonb), unnest($7::bool[]))
            AS t(device_id, ts, seq, received_at, metrics, events, quarantined)
       ORDER BY 1, 2, 3
       ON CONFLICT (device_id, ts, seq) DO NOTHING
       RETURNING device_id, seq, ts
     )
     SELECT c.stored,
            CASE WHEN c.stored < $8 THEN
              (SELECT array_agg(device_id::text || '|' || seq || '|' || (extract(epoch from ts) * 1000)::bigint) FROM ins)
            END AS keys
     FROM (SELECT count(*)::int AS stored FROM ins) c`,
    [
      arrayLiteral(rows.map((r) => r.deviceId)),
      arrayLiteral(rows.map((r) => r.ts)),
      arrayLiteral(rows.map((r) => r.seq)),
      arrayLiteral(rows.map((r) => r.receivedAt)),
      jsonArrayDocument(rows.map((r) => r.metrics)),
      jsonArrayDocument(rows.map((r) => (r.events?.length ? r.events : null))),
      arrayLiteral(rows.map((r) => r.quarantined === true)),
      rows.length,
    ],
  );
  const { stored, keys } = result[0]!;
  return stored === rows.length ? { stored } : { stored, keys: new Set(keys ?? []) };
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

const BIGINT_MAX = '9223372036854775807::bigint';

/**
 * Adds flow aggregates to the device contact graph (one row per device, peer, port, protocol), and
 * resolves each peer address to the registered device holding it (`peer_device_id`) in the same
 * statement, so the blast-radius walk follows device ids through an index instead of joining on
 * addresses. Only active (not retired) devices claim an address; when several do, the lowest id
 * wins, so a row keeps its peer from batch to batch. An IPv4-mapped IPv6 peer (::ffff:10.0.0.2)
 * resolves as its IPv4 address. The lookup walks `devices (ip, id)` in order: no sort per row.
 */
export async function upsertDeviceContacts(db: Queryable, rows: ContactRow[]): Promise<void> {
  if (!rows.length) return;
  // GROUP BY again in SQL: two spellings of one IPv6 address are one inet, and ON CONFLICT may
  // not touch a row twice in one statement. ORDER BY keeps lock order stable across processors.
  // (Looking peers up once per distinct address instead was measured: the extra CTE costs more
  // than the index probes it saves.)
  await db.query(
    `INSERT INTO device_contacts AS c
       (device_id, peer_ip, port, protocol, outbound, first_seen_at, last_seen_at, bytes, packets, count, peer_device_id)
     SELECT g.device_id, g.peer_ip, g.port, g.protocol, g.outbound, g.first_seen_at, g.last_seen_at, g.bytes, g.packets, g.count,
            (SELECT p.id FROM devices p WHERE p.ip = g.address AND p.status <> 'RETIRED' ORDER BY p.id LIMIT 1)
     FROM (
       SELECT t.device_id, t.peer_ip, t.port, t.protocol, bool_or(t.outbound) AS outbound, min(t.first_seen_at) AS first_seen_at,
              max(t.last_seen_at) AS last_seen_at, LEAST(sum(t.bytes), ${BIGINT_MAX}) AS bytes,
              LEAST(sum(t.packets), ${BIGINT_MAX}) AS packets, LEAST(sum(t.count), ${BIGINT_MAX}) AS count,
              min(t.address) AS address
       FROM unnest($1::uuid[], $2::inet[], $3::int[], $4::"FlowProtocol"[], $5::bool[], $6::timestamptz[],
                   $7::timestamptz[], $8::bigint[], $9::bigint[], $10::bigint[], $11::inet[])
            AS t(device_id, peer_ip, port, protocol, outbound, first_seen_at, last_seen_at, bytes, packets, count, address)
       WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = t.device_id)
       GROUP BY 1, 2, 3, 4
     ) g
     ORDER BY 1, 2, 3, 4
     ON CONFLICT (device_id, peer_ip, port, protocol) DO UPDATE SET
       outbound = c.outbound OR excluded.outbound,
       first_seen_at = LEAST(c.first_seen_at, excluded.first_seen_at),
       last_seen_at = GREATEST(c.last_seen_at, excluded.last_seen_at),
       -- Totals saturate at bigint's maximum: a device reporting absurd counts must not make the
       -- write fail (and its partition stall) for everyone.
       -- (bigint arithmetic only: the check cannot overflow, both sides being non-negative)
       bytes = CASE WHEN c.bytes > ${BIGINT_MAX} - excluded.bytes THEN ${BIGINT_MAX} ELSE c.bytes + excluded.bytes END,
       packets = CASE WHEN c.packets > ${BIGINT_MAX} - excluded.packets THEN ${BIGINT_MAX} ELSE c.packets + excluded.packets END,
       count = CASE WHEN c.count > ${BIGINT_MAX} - excluded.count THEN ${BIGINT_MAX} ELSE c.count + excluded.count END,
       peer_device_id = COALESCE(excluded.peer_device_id, c.peer_device_id)`,
    [
      arrayLiteral(rows.map((r) => r.deviceId)),
      arrayLiteral(rows.map((r) => r.peerIp)),
      arrayLiteral(rows.map((r) => r.port)),
      arrayLiteral(rows.map((r) => r.protocol)),
      arrayLiteral(rows.map((r) => r.outbound)),
      arrayLiteral(rows.map((r) => r.firstSeenAt)),
      arrayLiteral(rows.map((r) => r.lastSeenAt)),
      arrayLiteral(rows.map((r) => r.bytes)),
      arrayLiteral(rows.map((r) => r.packets)),
      arrayLiteral(rows.map((r) => r.count)),
      arrayLiteral(rows.map((r) => deviceAddress(r.peerIp))),
    ],
  );
}

/** The address a device would be registered under: an IPv4-mapped IPv6 address is its IPv4 address. */
function deviceAddress(peer: string): string {
  // Most peers are plain IPv4: no regex for them.
  if (peer.charCodeAt(0) !== 58 /* ':' */) return peer;
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(peer);
  return m ? m[1]! : peer;
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

/** A device that was offline (or never heard from) before the batch that upserted its state. */
export interface CameOnline {
  deviceId: string;
  segmentId: string | null;
  lastSeenAt: Date;
}

/**
 * Upserts each device's latest state and `devices.last_seen_at` (to 30 s) in one statement (one row per
 * device; the caller passes each device's newest message). Older data never overwrites newer:
 * metrics merge so a metric reported less often keeps its last value. Returns the devices that
 * came online with this batch (the rest need no answer, which keeps the reply small).
 */
export async function upsertDeviceState(db: Queryable, rows: StateRow[]): Promise<CameOnline[]> {
  if (!rows.length) return [];
  const { rows: online } = await db.query<{ device_id: string; segment_id: string | null; last_seen_at: Date }>(
    `WITH input AS (
       SELECT t.* FROM ROWS FROM (unnest($1::uuid[]), unnest($2::timestamptz[]), unnest($3::timestamptz[]), unnest($4::bigint[]),
                                  jsonb_array_elements($5::jsonb), unnest($6::text[]), unnest($7::text[]), unnest($8::inet[]),
                                  unnest($9::int[]))
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
       -- 30 s, because each update of that wide, well-indexed row is costly. device_state has the
       -- exact time. Rows another transaction holds (the DDI poll recorder, a registry change) are
       -- skipped rather than waited for, so batches touching devices in different orders cannot
       -- deadlock; the device's next message moves its time.
       UPDATE devices d SET last_seen_at = t.at
       FROM (SELECT x.id, u.last_seen_at AT TIME ZONE 'UTC' AS at
               FROM devices x JOIN upserted u ON x.id = u.device_id
              WHERE x.last_seen_at IS NULL OR x.last_seen_at < (u.last_seen_at AT TIME ZONE 'UTC') - interval '30 seconds'
                FOR NO KEY UPDATE OF x SKIP LOCKED) t
       WHERE d.id = t.id
     )
     SELECT u.device_id, d.segment_id, u.last_seen_at
     FROM upserted u JOIN devices d ON d.id = u.device_id
     WHERE u.came_online`,
    [
      arrayLiteral(rows.map((r) => r.deviceId)),
      arrayLiteral(rows.map((r) => r.lastSeenAt)),
      arrayLiteral(rows.map((r) => r.lastTs)),
      arrayLiteral(rows.map((r) => r.lastSeq)),
      jsonArrayDocument(rows.map((r) => r.metrics)),
      arrayLiteral(rows.map((r) => r.firmwareVersion)),
      arrayLiteral(rows.map((r) => r.firmwareHash)),
      arrayLiteral(rows.map((r) => r.ip)),
      arrayLiteral(rows.map((r) => r.intervalSeconds)),
    ],
  );
  return online.map((r) => ({ deviceId: r.device_id, segmentId: r.segment_id, lastSeenAt: r.last_seen_at }));
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

import { isIP } from 'node:net';
import { STORABLE_TEXT, type TelemetryRecord } from '@warden/contracts';
import { pointKey, type ContactRow, type StateRow } from '@warden/db';

/**
 * Pure planning of a stream batch: which rows to write. No I/O, so it is tested without a
 * database. Contacts and state are derived from the messages stored for the first time only: a
 * replayed message must not count its flows twice.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `Date#toISOString()` form, which the gateway writes; anything else is rewritten to it. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'other']);

/** A record read from Kafka, or why it cannot be stored. */
export type StreamRecordResult = { ok: true; record: TelemetryRecord } | { ok: false; reason: string };

const refuse = (reason: string): StreamRecordResult => ({ ok: false, reason });

/** How JSON writes a NUL or a lone surrogate (JSON.stringify escapes only those and control characters): a record without `\u` holds neither. */
const U_ESCAPE = Buffer.from('\\u');

/** Whether any string (key or value) in a parsed JSON value holds text Postgres refuses (a NUL, an unpaired surrogate). */
function hasUnstorableText(v: unknown): boolean {
  if (typeof v === 'string') return !STORABLE_TEXT.test(v);
  if (Array.isArray(v)) return v.some(hasUnstorableText);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => !STORABLE_TEXT.test(k) || hasUnstorableText(x));
  return false;
}

/** An address Postgres takes as `inet` (no zone index: `fe80::1%eth0` is not one). */
const isInet = (v: unknown): v is string => typeof v === 'string' && isIP(v) !== 0 && !v.includes('%');

/** The time as `toISOString()` writes it (what is stored, at millisecond precision), or undefined. */
function canonicalTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (CANONICAL_TIME.test(v)) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Reads a record from Kafka. The gateway validated it against telemetry.v1, so this is not the
 * schema again but a cheap guard against a foreign producer: anything that would make a batch's
 * writes fail (and so block its partition) is refused with the field that is wrong. Fills in the
 * defaults the gateway's schema would have, and writes times in the form they are stored in, so
 * the key the processor computes is the one Postgres returns.
 */
export function parseStreamRecord(value: Buffer | null): StreamRecordResult {
  if (!value) return refuse('empty record');
  let r: TelemetryRecord;
  try {
    r = JSON.parse(value.toString('utf8')) as TelemetryRecord;
  } catch {
    return refuse('not JSON');
  }
  if (!r || typeof r !== 'object' || Array.isArray(r)) return refuse('not an object');
  // Postgres text and jsonb take no NUL character or lone surrogate (both valid JSON, both written as
  // \u escapes): a record carrying one would fail its whole batch.
  if (value.includes(U_ESCAPE) && hasUnstorableText(r)) return refuse('a string contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate');
  if (typeof r.deviceId !== 'string' || !UUID.test(r.deviceId)) return refuse('deviceId: not a uuid');
  if (!Number.isSafeInteger(r.seq) || r.seq < 0) return refuse('seq: not a non-negative integer');
  const ts = canonicalTime(r.ts);
  if (ts === undefined) return refuse('ts: not a date-time');
  if (ts.startsWith('0000') || ts.startsWith('-')) return refuse('ts: before year 1 (Postgres has no year 0)');
  const receivedAt = canonicalTime(r.receivedAt);
  if (receivedAt === undefined) return refuse('receivedAt: not a date-time');
  r.ts = ts;
  r.receivedAt = receivedAt;
  // Postgres returns ids in lower case; the key of a stored point must match it.
  if (/[A-F]/.test(r.deviceId)) r.deviceId = r.deviceId.toLowerCase();
  if (!r.metrics || typeof r.metrics !== 'object' || Array.isArray(r.metrics)) return refuse('metrics: not an object');
  r.events ??= [];
  if (!Array.isArray(r.events)) return refuse('events: not an array');
  for (let i = 0; i < r.events.length; i++) {
    const e = r.events[i];
    if (!e || typeof e !== 'object' || typeof e.type !== 'string') return refuse(`events.${i}: not a security event`);
  }
  r.flows ??= [];
  if (!Array.isArray(r.flows)) return refuse('flows: not an array');
  for (let i = 0; i < r.flows.length; i++) {
    const f = r.flows[i]!;
    if (!f || typeof f !== 'object') return refuse(`flows.${i}: not a flow`);
    if (!isInet(f.peer)) return refuse(`flows.${i}.peer: not an IP address`);
    if (!Number.isInteger(f.port) || f.port < 0 || f.port > 65_535) return refuse(`flows.${i}.port: not a port`);
    if (!PROTOCOLS.has(f.protocol)) return refuse(`flows.${i}.protocol: not tcp, udp, icmp or other`);
    f.outbound ??= true;
    f.bytes ??= 0;
    f.packets ??= 0;
    if (typeof f.outbound !== 'boolean') return refuse(`flows.${i}.outbound: not a boolean`);
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 0) return refuse(`flows.${i}.bytes: not a count`);
    if (!Number.isSafeInteger(f.packets) || f.packets < 0) return refuse(`flows.${i}.packets: not a count`);
  }
  if (r.firmware !== undefined) {
    const fw = r.firmware as { version?: unknown; hash?: unknown } | null;
    if (!fw || typeof fw !== 'object' || typeof fw.version !== 'string' || (fw.hash !== undefined && typeof fw.hash !== 'string')) {
      return refuse('firmware: not a version with an optional hash');
    }
  }
  if (r.ip !== undefined && !isInet(r.ip)) return refuse('ip: not an IP address');
  if (r.interval !== undefined && (!Number.isInteger(r.interval) || r.interval < 1 || r.interval > 86_400)) return refuse('interval: not 1 to 86400 seconds');
  return { ok: true, record: r };
}

/** {@link parseStreamRecord} without the reason: the record, or undefined when it cannot be stored. */
export function readTelemetryRecord(value: Buffer | null): TelemetryRecord | undefined {
  const r = parseStreamRecord(value);
  return r.ok ? r.record : undefined;
}

export const recordKey = (r: TelemetryRecord): string => pointKey(r.deviceId, r.seq, Date.parse(r.ts));

/** The batch without repeats of one message (same device, ts, seq); first occurrence wins. */
export function dedupe(records: TelemetryRecord[]): TelemetryRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const k = recordKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Flows summed per (device, peer, port, protocol). */
export function toContactRows(records: TelemetryRecord[]): ContactRow[] {
  const rows = new Map<string, ContactRow>();
  for (const r of records) {
    for (const f of r.flows) {
      const k = `${r.deviceId}|${f.peer}|${f.port}|${f.protocol}`;
      const row = rows.get(k);
      if (!row) {
        rows.set(k, {
          deviceId: r.deviceId,
          peerIp: f.peer,
          port: f.port,
          protocol: f.protocol,
          outbound: f.outbound,
          firstSeenAt: r.ts,
          lastSeenAt: r.ts,
          bytes: f.bytes,
          packets: f.packets,
          count: 1,
        });
      } else {
        row.outbound ||= f.outbound;
        if (r.ts < row.firstSeenAt) row.firstSeenAt = r.ts;
        if (r.ts > row.lastSeenAt) row.lastSeenAt = r.ts;
        // Saturating: a sum past 2^53 would reach Postgres as an unparseable "1e+21".
        row.bytes = Math.min(row.bytes + f.bytes, Number.MAX_SAFE_INTEGER);
        row.packets = Math.min(row.packets + f.packets, Number.MAX_SAFE_INTEGER);
        row.count += 1;
      }
    }
  }
  return [...rows.values()];
}

/**
 * One state row per device: the newest message (by device ts, then seq) with metrics merged
 * from older ones in the batch, the latest receive time, and the last firmware/IP/interval seen.
 */
export function toStateRows(records: TelemetryRecord[]): StateRow[] {
  // Group by device first: sorting each device's few messages is cheaper than sorting the batch.
  const byDevice = new Map<string, TelemetryRecord[]>();
  for (const r of records) {
    const list = byDevice.get(r.deviceId);
    if (list) list.push(r);
    else byDevice.set(r.deviceId, [r]);
  }
  const rows: StateRow[] = [];
  for (const list of byDevice.values()) {
    if (list.length > 1) list.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.seq - b.seq);
    const first = list[0]!;
    const row: StateRow = {
      deviceId: first.deviceId,
      lastSeenAt: first.receivedAt,
      lastTs: first.ts,
      lastSeq: first.seq,
      metrics: { ...first.metrics },
      firmwareVersion: first.firmware?.version ?? null,
      firmwareHash: first.firmware?.hash?.toLowerCase() ?? null,
      ip: first.ip ?? null,
      intervalSeconds: first.interval ?? null,
    };
    for (let i = 1; i < list.length; i++) {
      const r = list[i]!;
      if (Date.parse(r.receivedAt) > Date.parse(row.lastSeenAt)) row.lastSeenAt = r.receivedAt;
      row.lastTs = r.ts;
      row.lastSeq = r.seq;
      Object.assign(row.metrics, r.metrics);
      if (r.firmware) {
        row.firmwareVersion = r.firmware.version;
        row.firmwareHash = r.firmware.hash?.toLowerCase() ?? null;
      }
      if (r.ip) row.ip = r.ip;
      if (r.interval) row.intervalSeconds = r.interval;
    }
    rows.push(row);
  }
  // Postgres takes the rows in device order (stable lock order); this order is for readers.
  return rows.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

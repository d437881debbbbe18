import type { TelemetryRecord } from '@warden/contracts';
import { pointKey, type ContactRow, type PointRow, type StateRow } from '@warden/db';

/**
 * Pure planning of a stream batch: which rows to write. No I/O, so it is tested without a
 * database. Contacts and state are derived from the messages stored for the first time only: a
 * replayed message must not count its flows twice.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a record from Kafka. The gateway validated it against telemetry.v1; this is a cheap guard
 * against a foreign producer, returning undefined for anything that would break the writes.
 */
export function readTelemetryRecord(value: Buffer | null): TelemetryRecord | undefined {
  if (!value) return undefined;
  let r: TelemetryRecord;
  try {
    r = JSON.parse(value.toString('utf8')) as TelemetryRecord;
  } catch {
    return undefined;
  }
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.deviceId !== 'string' ||
    !UUID.test(r.deviceId) ||
    !Number.isSafeInteger(r.seq) ||
    typeof r.ts !== 'string' ||
    Number.isNaN(Date.parse(r.ts)) ||
    typeof r.receivedAt !== 'string' ||
    Number.isNaN(Date.parse(r.receivedAt)) ||
    !r.metrics ||
    typeof r.metrics !== 'object'
  ) {
    return undefined;
  }
  r.events ??= [];
  r.flows ??= [];
  if (!Array.isArray(r.flows) || !Array.isArray(r.events)) return undefined;
  // Defaults the gateway's schema would have filled in; a flow the writes cannot take voids the record.
  for (const f of r.flows) {
    if (!f || typeof f.peer !== 'string' || !Number.isInteger(f.port) || !PROTOCOLS.has(f.protocol)) return undefined;
    f.outbound ??= true;
    f.bytes ??= 0;
    f.packets ??= 0;
  }
  return r;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'other']);

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

export function toPointRows(records: TelemetryRecord[]): PointRow[] {
  return records.map((r) => ({
    deviceId: r.deviceId,
    ts: r.ts,
    seq: r.seq,
    receivedAt: r.receivedAt,
    metrics: r.metrics,
    events: r.events.length ? r.events : null,
  }));
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
        row.bytes += f.bytes;
        row.packets += f.packets;
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
  const sorted = [...records].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq));
  const rows = new Map<string, StateRow>();
  for (const r of sorted) {
    const row = rows.get(r.deviceId);
    if (!row) {
      rows.set(r.deviceId, {
        deviceId: r.deviceId,
        lastSeenAt: r.receivedAt,
        lastTs: r.ts,
        lastSeq: r.seq,
        metrics: { ...r.metrics },
        firmwareVersion: r.firmware?.version ?? null,
        firmwareHash: r.firmware?.hash?.toLowerCase() ?? null,
        ip: r.ip ?? null,
        intervalSeconds: r.interval ?? null,
      });
    } else {
      if (r.receivedAt > row.lastSeenAt) row.lastSeenAt = r.receivedAt;
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
  }
  return [...rows.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

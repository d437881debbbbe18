import { describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '@warden/contracts';
import { dedupe, parseStreamRecord, readTelemetryRecord, toContactRows, toStateRows } from './plan-batch.js';

const A = '6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1';
const B = '0b9b7c4e-1d7e-4a0e-8d8b-3f2f1f0e0d0c';
const rec = (deviceId: string, seq: number, ts: string, extra: Partial<TelemetryRecord> = {}): TelemetryRecord => ({
  deviceId,
  seq,
  ts,
  metrics: {},
  flows: [],
  events: [],
  receivedAt: ts,
  via: 'http',
  ...extra,
});

describe('stream batch planning', () => {
  it('drops repeats of one message (same device, ts and seq) but keeps a reset sequence with a new ts', () => {
    const batch = [rec(A, 1, '2026-01-01T00:00:00.000Z'), rec(A, 1, '2026-01-01T00:00:00.000Z'), rec(A, 1, '2026-01-02T00:00:00.000Z')];
    expect(dedupe(batch)).toHaveLength(2);
  });

  it('sums flows per device, peer, port and protocol', () => {
    const flow = { peer: '10.0.0.9', port: 23, protocol: 'tcp' as const, outbound: false, bytes: 100, packets: 2 };
    const rows = toContactRows([
      rec(A, 1, '2026-01-01T00:00:01.000Z', { flows: [flow, { ...flow, port: 22 }] }),
      rec(A, 2, '2026-01-01T00:00:02.000Z', { flows: [{ ...flow, outbound: true }] }),
      rec(B, 1, '2026-01-01T00:00:00.000Z', { flows: [flow] }),
    ]);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.deviceId === A && r.port === 23)).toMatchObject({
      bytes: 200,
      packets: 4,
      count: 2,
      outbound: true,
      firstSeenAt: '2026-01-01T00:00:01.000Z',
      lastSeenAt: '2026-01-01T00:00:02.000Z',
    });
  });

  it('keeps the newest message per device, merging metrics and keeping the last firmware reported', () => {
    const [a] = toStateRows([
      rec(A, 3, '2026-01-01T00:00:03.000Z', { metrics: { cpu: 3 } }),
      rec(A, 1, '2026-01-01T00:00:01.000Z', { metrics: { cpu: 1, temp: 40 }, firmware: { version: '1.0' } }),
      rec(A, 2, '2026-01-01T00:00:02.000Z', { metrics: { cpu: 2 }, ip: '10.0.0.5' }),
    ]);
    expect(a).toMatchObject({ lastSeq: 3, metrics: { cpu: 3, temp: 40 }, firmwareVersion: '1.0', ip: '10.0.0.5' });
  });

  it('reads only records that the writes can take', () => {
    const good = rec(A, 1, '2026-01-01T00:00:00.000Z');
    expect(readTelemetryRecord(Buffer.from(JSON.stringify(good)))).toMatchObject({ deviceId: A });
    expect(readTelemetryRecord(Buffer.from('{'))).toBeUndefined();
    expect(readTelemetryRecord(Buffer.from(JSON.stringify({ ...good, deviceId: 'x' })))).toBeUndefined();
    expect(readTelemetryRecord(Buffer.from(JSON.stringify({ ...good, seq: 1.5 })))).toBeUndefined();
    expect(readTelemetryRecord(null)).toBeUndefined();
    expect(readTelemetryRecord(Buffer.from(JSON.stringify({ ...good, flows: [{ peer: '10.0.0.1', port: 'x', protocol: 'tcp' }] })))).toBeUndefined();
    const filled = readTelemetryRecord(Buffer.from(JSON.stringify({ ...good, flows: [{ peer: '10.0.0.1', port: 80, protocol: 'tcp' }] })));
    expect(filled?.flows[0]).toEqual({ peer: '10.0.0.1', port: 80, protocol: 'tcp', outbound: true, bytes: 0, packets: 0 });
  });

  it('names what makes a record unstorable, and writes times and ids as they are stored', () => {
    const good = rec(A, 1, '2026-01-01T00:00:00.000Z');
    const reason = (value: unknown) => {
      const r = parseStreamRecord(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason({ ...good, flows: [{ peer: 'printer.local', port: 9100, protocol: 'tcp' }] })).toBe('flows.0.peer: not an IP address');
    expect(reason({ ...good, flows: [{ peer: 'fe80::1%eth0', port: 1, protocol: 'udp' }] })).toBe('flows.0.peer: not an IP address');
    expect(reason({ ...good, flows: [{ peer: '10.0.0.1', port: 70_000, protocol: 'tcp' }] })).toBe('flows.0.port: not a port');
    expect(reason({ ...good, ip: '10.0.0.300' })).toBe('ip: not an IP address');
    expect(reason({ ...good, firmware: { version: '1.0', hash: 7 } })).toBe('firmware: not a version with an optional hash');
    expect(reason({ ...good, ts: 'soon' })).toBe('ts: not a date-time');
    expect(reason({ ...good, seq: -1 })).toBe('seq: not a non-negative integer');
    expect(reason('[1]')).toBe('not an object');
    expect(reason('{')).toBe('not JSON');

    const r = parseStreamRecord(Buffer.from(JSON.stringify({ ...good, deviceId: A.toUpperCase(), ts: '2026-01-01T01:00:00.1234+01:00' })));
    expect(r.ok && r.record).toMatchObject({ deviceId: A, ts: '2026-01-01T00:00:00.123Z', receivedAt: '2026-01-01T00:00:00.000Z' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseTelemetryMessage, telemetryMessageSchema } from './telemetry.v1.js';

const valid = {
  deviceId: '6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1',
  seq: 7,
  ts: '2026-11-25T10:00:00.123+01:00',
  metrics: { cpu: 12.5, rssi: -61 },
  flows: [{ peer: 'fe80::1', port: 443, protocol: 'tcp', bytes: 10 }],
  events: [{ type: 'AUTH_FAILURE', detail: 'user admin' }],
  firmware: { version: '2.1.0', hash: 'a'.repeat(64) },
};

describe('telemetry.v1', () => {
  it('accepts a full message and fills defaults', () => {
    const r = parseTelemetryMessage(valid);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.message.flows[0]).toMatchObject({ outbound: true, packets: 0 });
      expect(r.message.events[0]).toMatchObject({ count: 1 });
    }
  });

  it('names every bad field', () => {
    const r = parseTelemetryMessage({
      ...valid,
      seq: -1,
      ts: 'now',
      metrics: { CPU: 1, temp: 'hot' },
      flows: [{ peer: '300.1.1.1', port: 70000, protocol: 'tcp' }],
      extra: true,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path).sort()).toEqual(['(message)', 'flows.0.peer', 'flows.0.port', 'metrics.CPU', 'metrics.temp', 'seq', 'ts']);
    }
  });

  it('refuses a non-object without throwing', () => {
    expect(parseTelemetryMessage('hello')).toMatchObject({ ok: false });
    expect(parseTelemetryMessage(null)).toMatchObject({ ok: false });
  });
});

/**
 * parseTelemetryMessage accepts through a compiled JSON Schema and explains through zod. The two
 * must agree: every message is put through both, over a corpus of every field set to values that
 * are wrong in each way a device gets them wrong.
 */
describe('telemetry.v1 fast path', () => {
  const full = () => ({
    deviceId: '6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1',
    seq: 7,
    ts: '2026-11-25T10:00:00.123+01:00',
    metrics: { cpu: 12.5, rssi: -61 },
    flows: [{ peer: '10.0.0.9', port: 443, protocol: 'tcp', outbound: false, bytes: 10, packets: 1 }, { peer: 'fe80::1', port: 53, protocol: 'udp' }],
    events: [{ type: 'AUTH_FAILURE', detail: 'user admin', at: '2026-11-25T09:59:59Z', count: 3 }, { type: 'REBOOT' }],
    firmware: { version: '2.1.0', hash: 'A'.repeat(64) },
    ip: '10.0.0.2',
    interval: 60,
  });
  const emoji = '\u{1F600}';
  const bad: unknown[] = [undefined, null, true, -1, 1.5, 2 ** 53, NaN, Infinity, -Infinity, '', 'x', '1', [], {}, { a: 1 }, emoji.repeat(300)];
  const strings: Record<string, unknown[]> = {
    deviceId: ['6F1C1F43-7A57-4A39-9D1E-0F6BB1F0D2A1', '6f1c1f43-7a57-0a39-9d1e-0f6bb1f0d2a1', '6f1c1f437a574a399d1e0f6bb1f0d2a1', ' 6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1'],
    ts: ['2026-11-25T10:00:00Z', '2026-11-25 10:00:00Z', '2026-11-25T10:00:00', '2026-02-30T10:00:00Z', '2026-11-25t10:00:00z', '2026-11-25T10:00Z', '2026-11-25T24:00:00Z', '2026-11-25T10:00:00.1234567+14:00'],
    ip: ['::1', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', 'fe80::1%eth0', '::ffff:10.0.0.1', 'localhost'],
    peer: ['::', '10.0.0.256', '1.1.1', 'example.com'],
    hash: ['a'.repeat(63), 'g'.repeat(64), 'ab'.repeat(32)],
    version: ['x'.repeat(64), 'x'.repeat(65), emoji.repeat(32), emoji.repeat(33)],
    detail: ['d'.repeat(512), 'd'.repeat(513), emoji.repeat(256), emoji.repeat(257)],
  };
  const variants: Array<{ name: string; message: unknown }> = [];
  const vary = (name: string, set: (m: ReturnType<typeof full>, v: unknown) => void, values: unknown[]) => {
    for (const v of values) {
      const m = full();
      set(m, v);
      variants.push({ name: `${name} = ${JSON.stringify(v) ?? String(v)}`, message: m });
    }
  };
  const scalar = [...bad];
  vary('deviceId', (m, v) => ((m as Record<string, unknown>).deviceId = v), [...scalar, ...strings.deviceId!]);
  vary('seq', (m, v) => ((m as Record<string, unknown>).seq = v), [...scalar, 0, Number.MAX_SAFE_INTEGER]);
  vary('ts', (m, v) => ((m as Record<string, unknown>).ts = v), [...scalar, ...strings.ts!]);
  vary('metrics', (m, v) => ((m as Record<string, unknown>).metrics = v), [...scalar, { CPU: 1 }, { cpu: '1' }, { cpu: NaN }, { cpu: Infinity }, { _x: 1 }, { ['a'.repeat(48)]: 1 }, { ['a'.repeat(49)]: 1 },
    Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`m${i}`, i])), Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]))]);
  vary('flows', (m, v) => ((m as Record<string, unknown>).flows = v), [...scalar, Array(256).fill({ peer: '::1', port: 1, protocol: 'tcp' }), Array(257).fill({ peer: '::1', port: 1, protocol: 'tcp' })]);
  for (const key of ['peer', 'port', 'protocol', 'outbound', 'bytes', 'packets', 'extra']) {
    vary(`flows.0.${key}`, (m, v) => ((m.flows[0] as Record<string, unknown>)[key] = v), [...scalar, ...(key === 'peer' ? [...strings.peer!, ...strings.ip!] : []), 'icmp', 'other', 65535, 65536, false]);
  }
  vary('events', (m, v) => ((m as Record<string, unknown>).events = v), [...scalar, Array(64).fill({ type: 'OTHER' }), Array(65).fill({ type: 'OTHER' })]);
  for (const key of ['type', 'at', 'detail', 'count', 'extra']) {
    vary(`events.0.${key}`, (m, v) => ((m.events[0] as Record<string, unknown>)[key] = v), [...scalar, ...(key === 'detail' ? strings.detail! : []), ...(key === 'at' ? strings.ts! : []), 'TAMPER', 'tamper', 1_000_000, 1_000_001]);
  }
  vary('firmware', (m, v) => ((m as Record<string, unknown>).firmware = v), [...scalar, { version: '1' }, { version: '1', extra: 1 }, { hash: 'a'.repeat(64) }]);
  vary('firmware.version', (m, v) => ((m.firmware as Record<string, unknown>).version = v), [...scalar, ...strings.version!]);
  vary('firmware.hash', (m, v) => ((m.firmware as Record<string, unknown>).hash = v), [...scalar, ...strings.hash!]);
  vary('ip', (m, v) => ((m as Record<string, unknown>).ip = v), [...scalar, ...strings.ip!]);
  vary('interval', (m, v) => ((m as Record<string, unknown>).interval = v), [...scalar, 86_400, 86_401]);
  vary('(extra)', (m, v) => ((m as Record<string, unknown>).extra = v), [1]);
  vary('(__proto__)', (m) => Object.defineProperty(m, '__proto__', { value: 1, enumerable: true }), [1]);
  for (const key of ['deviceId', 'seq', 'ts', 'metrics', 'flows', 'events', 'firmware', 'ip', 'interval']) {
    vary(`without ${key}`, (m) => delete (m as Record<string, unknown>)[key], [undefined]);
  }

  it('accepts exactly what zod accepts, and returns what zod returns', () => {
    expect(variants.length).toBeGreaterThan(400);
    let accepted = 0;
    for (const { name, message } of variants) {
      const zod = telemetryMessageSchema.safeParse(structuredClone(message));
      const fast = parseTelemetryMessage(structuredClone(message));
      expect({ name, ok: fast.ok }).toEqual({ name, ok: zod.success });
      if (fast.ok && zod.success) {
        accepted++;
        expect({ name, message: fast.message }).toEqual({ name, message: zod.data });
      }
    }
    // Both kinds are in the corpus in numbers.
    expect(accepted).toBeGreaterThan(60);
    expect(variants.length - accepted).toBeGreaterThan(300);
  });

  it('hands a valid message back as the object given, and leaves an invalid one untouched', () => {
    const m = full();
    const r = parseTelemetryMessage(m);
    expect(r.ok && r.message).toBe(m);
    const broken = { ...full(), flows: [{ peer: '10.0.0.1', port: 1, protocol: 'tcp' }], seq: -1 };
    const before = structuredClone(broken);
    expect(parseTelemetryMessage(broken).ok).toBe(false);
    expect(broken).toEqual(before);
  });
});

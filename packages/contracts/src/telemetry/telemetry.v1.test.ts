import { describe, expect, it } from 'vitest';
import { parseTelemetryMessage } from './telemetry.v1.js';

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

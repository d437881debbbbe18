import { describe, expect, it } from 'vitest';
import { bootDevice } from '../device.js';
import { applyContainment, parseContainment } from './feed.js';

const device = () =>
  bootDevice(
    { index: 0, id: '11111111-1111-4111-8111-111111111111', controllerId: 'LUM-A19-00001', serial: 'LUM-A19-00001', kind: 'LIGHT', model: 'Lumen/A19 Smart Bulb', otaCapable: true, segment: 'iot-f1', ip: '10.20.1.10', firmwareVersion: '2.4.0', token: 'wdt_x' },
    0,
    30_000,
  );
const state = (over: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ deviceId: '11111111-1111-4111-8111-111111111111', controllerId: 'LUM-A19-00001', quarantined: true, segmentIsolated: false, credentialsRevoked: false, containments: [], managementAllow: [], at: '2026-01-14T12:00:00.000Z', ...over }));

describe('a device learning its containment state', () => {
  it('reads the retained state from the device topic, and an empty payload as released', () => {
    expect(parseContainment('warden/devices/LUM-A19-00001/containment', state({}))).toMatchObject({ controllerId: 'LUM-A19-00001', quarantined: true });
    expect(parseContainment('warden/devices/LUM-A19-00001/containment', Buffer.alloc(0))).toMatchObject({ quarantined: false, segmentIsolated: false });
    expect(parseContainment('warden/devices/x/telemetry', state({}))).toBeNull();
    expect(parseContainment('warden/devices/x/containment', Buffer.from('not json'))).toBeNull();
  });

  it('applies newer states, ignores older ones and states another registry left for the same controller id', () => {
    const d = device();
    expect(applyContainment(d, parseContainment('warden/devices/LUM-A19-00001/containment', state({}))!)).toBe(true);
    expect(d.rt).toMatchObject({ quarantined: true, isolated: false });
    expect(applyContainment(d, parseContainment('warden/devices/LUM-A19-00001/containment', state({ quarantined: false, at: '2026-01-14T11:00:00.000Z' }))!)).toBe(false);
    expect(d.rt.quarantined).toBe(true);
    const foreign = state({ deviceId: '22222222-2222-4222-8222-222222222222', quarantined: false, at: '2026-01-14T13:00:00.000Z' });
    expect(applyContainment(d, parseContainment('warden/devices/LUM-A19-00001/containment', foreign)!)).toBe(false);
    expect(applyContainment(d, parseContainment('warden/devices/LUM-A19-00001/containment', state({ quarantined: false, segmentIsolated: true, at: '2026-01-14T13:00:00.000Z' }))!)).toBe(true);
    expect(d.rt).toMatchObject({ quarantined: false, isolated: true });
  });
});

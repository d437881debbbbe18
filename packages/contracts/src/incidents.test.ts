import { describe, expect, it } from 'vitest';
import { alertSchema, containmentEventSchema } from './incidents.js';

const alert = {
  id: '3f1c2a9e-7b7d-5c3e-8a1f-0c2d4e6f8a9b',
  dedupKey: 'WORM_FAN_OUT:device:7d0f2c1e-2b1a-4c3d-9e8f-1a2b3c4d5e6f:29606400',
  rule: 'WORM_FAN_OUT',
  severity: 'HIGH',
  deviceId: '7d0f2c1e-2b1a-4c3d-9e8f-1a2b3c4d5e6f',
  segmentId: null,
  summary: 'contacted 14 internal peers on management ports within 60 s',
  evidence: { distinctPeers: 14 },
  windowStart: '2026-03-01T10:00:00.000Z',
  observedAt: '2026-03-01T10:00:41.000Z',
};

const containment = {
  containmentId: '0b6f7a3c-5d2e-4f1a-9c8b-7e6d5c4b3a21',
  version: 1,
  action: 'QUARANTINE_DEVICES',
  status: 'APPLIED',
  target: { kind: 'DEVICES', devices: [{ id: '7d0f2c1e-2b1a-4c3d-9e8f-1a2b3c4d5e6f', ip: '10.20.0.14', mac: 'aa:bb:cc:dd:ee:ff' }] },
  actor: 'playbook-run:5c4b3a21-0b6f-4f1a-9c8b-7e6d7a3c5d2e',
  reason: 'worm-like scanning on the IoT segment',
  incidentId: null,
  expiresAt: '2026-03-01T14:00:00.000Z',
  managementAllow: [{ host: 'warden.example.com', port: 443 }],
  at: '2026-03-01T10:01:00.000Z',
};

describe('alerts.v1', () => {
  it('accepts an alert and refuses unknown rules, fields and bad dates', () => {
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alertSchema.safeParse({ ...alert, rule: 'PORT_SCAN' }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, extra: 1 }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, observedAt: 'yesterday' }).success).toBe(false);
  });
});

describe('containment.v1', () => {
  it('accepts device, segment and destination targets', () => {
    expect(containmentEventSchema.parse(containment)).toEqual(containment);
    const segment = { ...containment, action: 'ISOLATE_SEGMENT', target: { kind: 'SEGMENT', segmentId: containment.containmentId, cidr: '10.20.0.0/16', vlan: 20 } };
    expect(containmentEventSchema.safeParse(segment).success).toBe(true);
    for (const destination of ['198.51.100.7', '203.0.113.0/24', '2001:db8:bad::/48']) {
      expect(containmentEventSchema.safeParse({ ...containment, action: 'BLOCK_DESTINATION', target: { kind: 'DESTINATION', destination } }).success).toBe(true);
    }
  });

  it('refuses an empty device list, a bad destination and a version below 1', () => {
    expect(containmentEventSchema.safeParse({ ...containment, target: { kind: 'DEVICES', devices: [] } }).success).toBe(false);
    expect(containmentEventSchema.safeParse({ ...containment, target: { kind: 'DESTINATION', destination: 'evil.example' } }).success).toBe(false);
    expect(containmentEventSchema.safeParse({ ...containment, version: 0 }).success).toBe(false);
  });
});

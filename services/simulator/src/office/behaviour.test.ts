import { describe, expect, it } from 'vitest';
import type { DeviceRoster } from '@warden/contracts';
import { mulberry32 } from '../rng.js';
import { normalReport, type Report } from './behaviour.js';
import { officeFromRoster } from './office.js';

const KINDS = ['LIGHT', 'SENSOR', 'THERMOSTAT', 'SPEAKER', 'TV', 'PRINTER', 'CAMERA', 'BADGE_READER', 'HUB'] as const;
const segmentOf = (k: string) => (k === 'PRINTER' || k === 'TV' ? 'corp' : k === 'CAMERA' || k === 'BADGE_READER' ? 'security' : 'iot-f1');

const roster: DeviceRoster = {
  version: 1,
  generatedAt: new Date().toISOString(),
  tenant: 'default',
  site: 'hq',
  segments: [
    { name: 'corp', cidr: '10.10.0.0/22', zone: 'CORPORATE' },
    { name: 'iot-f1', cidr: '10.20.1.0/24', zone: 'IOT' },
    { name: 'security', cidr: '10.30.0.0/23', zone: 'CRITICAL' },
  ],
  devices: KINDS.flatMap((kind, k) =>
    Array.from({ length: 3 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(k * 10 + i).padStart(12, '0')}`,
      controllerId: `${kind}-${i}`,
      serial: `${kind}-${i}`,
      kind,
      model: `Acme/${kind}`,
      otaCapable: true,
      segment: segmentOf(kind),
      ip: `10.${segmentOf(kind) === 'corp' ? 10 : segmentOf(kind) === 'security' ? 30 : 20}.${segmentOf(kind) === 'iot-f1' ? 1 : 0}.${10 + k * 3 + i}`,
      firmwareVersion: '1.0.0',
      token: 'wdt_test-token',
    })),
  ),
};
const office = officeFromRoster(roster);
const NOON = Date.UTC(2026, 0, 14, 12);

function reports(kind: string, n = 200): Report[] {
  const devices = office.devices.filter((d) => d.kind === kind);
  return Array.from({ length: n }, (_, i) => normalReport(office, devices[i % devices.length]!, mulberry32(i), NOON + i * 30_000, 30, 3600));
}

const isInternal = (ip: string) => ip.startsWith('10.') || ip.startsWith('239.');
const MANAGEMENT_PORTS = [23, 2323, 22, 445, 5555];

describe('what a healthy office reports', () => {
  it('is the same report for the same randomness', () => {
    const d = office.devices[0]!;
    expect(normalReport(office, d, mulberry32(7), NOON, 30, 10)).toEqual(normalReport(office, d, mulberry32(7), NOON, 30, 10));
  });

  it('gives each kind its own plausible metrics', () => {
    expect(reports('LIGHT')[0]!.metrics).toMatchObject({ power: expect.any(Number), rssi: expect.any(Number) });
    expect(reports('THERMOSTAT').every((r) => r.metrics.temperature! > 15 && r.metrics.temperature! < 26)).toBe(true);
    expect(reports('CAMERA').every((r) => r.metrics.bytes_out! > 1_000_000)).toBe(true);
    expect(reports('PRINTER').some((r) => r.metrics.pages! > 0)).toBe(true);
    expect(reports('HUB')[0]!.metrics.connections).toBeGreaterThan(0);
    expect(reports('BADGE_READER').some((r) => r.events.some((e) => e.type === 'AUTH_SUCCESS'))).toBe(true);
  });

  it('talks to the usual peers: hub, print server, recorder, access controller', () => {
    const hubs = new Set(office.devices.filter((d) => d.kind === 'HUB').map((d) => d.ip));
    expect(reports('LIGHT').every((r) => r.flows.some((f) => hubs.has(f.peer) && f.port === 8883))).toBe(true);
    expect(reports('PRINTER').every((r) => r.flows.some((f) => f.peer === office.servers.printServer && f.port === 631))).toBe(true);
    expect(reports('CAMERA').every((r) => r.flows.some((f) => f.peer === office.servers.nvr && f.port === 554))).toBe(true);
    expect(reports('BADGE_READER').every((r) => r.flows.some((f) => f.peer === office.servers.accessController))).toBe(true);
  });

  it('gives detection nothing to fire on: internal-only kinds stay internal, nobody scans management ports, failed logins stay rare', () => {
    for (const kind of ['LIGHT', 'SENSOR', 'BADGE_READER', 'CAMERA', 'THERMOSTAT']) {
      for (const r of reports(kind)) for (const f of r.flows) expect(isInternal(f.peer), `${kind} → ${f.peer}`).toBe(true);
    }
    for (const kind of KINDS) for (const r of reports(kind)) expect(r.flows.filter((f) => MANAGEMENT_PORTS.includes(f.port))).toEqual([]);
    const failures = reports('BADGE_READER', 1000).reduce((n, r) => n + r.events.filter((e) => e.type === 'AUTH_FAILURE').length, 0);
    expect(failures).toBeLessThan(60); // far below 20 in 5 minutes for one reader
  });
});

/**
 * A realistic demo office, generated deterministically from a seed: one headquarters with three
 * floors, six network segments and ~2,000 devices of the kinds an office really has, with the
 * firmware spread (and the few devices that cannot be updated) a real fleet shows. Pure: no I/O.
 */
export interface DemoSegment {
  name: string;
  cidr: string;
  zone: 'CORPORATE' | 'IOT' | 'GUEST' | 'CRITICAL' | 'MANAGEMENT';
  vlan: number;
}

export interface DemoModel {
  vendor: string;
  name: string;
  kind: string;
  otaCapable: boolean;
  /** Firmware versions in the field, oldest first, with relative weights. */
  firmware: [version: string, weight: number][];
  prefix: string;
}

export interface DemoOffice {
  site: { code: string; name: string; address: string; timezone: string };
  segments: DemoSegment[];
  models: DemoModel[];
  devices: Record<string, unknown>[];
}

export const DEMO_SITE = { code: 'hq', name: 'Headquarters', address: '1 Harbour Street, Floor 1-3', timezone: 'Europe/Amsterdam' };

export const DEMO_SEGMENTS: DemoSegment[] = [
  { name: 'corp', cidr: '10.10.0.0/22', zone: 'CORPORATE', vlan: 10 },
  { name: 'iot-f1', cidr: '10.20.1.0/24', zone: 'IOT', vlan: 21 },
  { name: 'iot-f2', cidr: '10.20.2.0/24', zone: 'IOT', vlan: 22 },
  { name: 'iot-f3', cidr: '10.20.3.0/24', zone: 'IOT', vlan: 23 },
  { name: 'security', cidr: '10.30.0.0/23', zone: 'CRITICAL', vlan: 30 },
  { name: 'guest', cidr: '10.90.0.0/22', zone: 'GUEST', vlan: 90 },
];

export const DEMO_MODELS: DemoModel[] = [
  { vendor: 'Lumen', name: 'A19 Smart Bulb', kind: 'LIGHT', otaCapable: true, prefix: 'LUM-A19', firmware: [['2.3.1', 2], ['2.4.0', 5], ['2.5.2', 10]] },
  { vendor: 'Lumen', name: 'Panel 600', kind: 'LIGHT', otaCapable: true, prefix: 'LUM-P600', firmware: [['1.8.0', 3], ['1.9.4', 8]] },
  { vendor: 'Thermia', name: 'T5 Thermostat', kind: 'THERMOSTAT', otaCapable: true, prefix: 'THM-T5', firmware: [['4.0.2', 2], ['4.1.0', 6], ['4.2.1', 4]] },
  { vendor: 'SoundWave', name: 'Mini', kind: 'SPEAKER', otaCapable: true, prefix: 'SWV-MINI', firmware: [['7.2.0', 3], ['7.3.1', 7]] },
  { vendor: 'PrintCo', name: 'LaserJet M400', kind: 'PRINTER', otaCapable: true, prefix: 'PRC-M400', firmware: [['3.11.0', 4], ['3.12.2', 6]] },
  { vendor: 'Vista', name: 'Display 55', kind: 'TV', otaCapable: true, prefix: 'VIS-D55', firmware: [['5.0.0', 5], ['5.1.3', 5]] },
  { vendor: 'Vigil', name: 'Dome C200', kind: 'CAMERA', otaCapable: true, prefix: 'VGL-C200', firmware: [['1.4.0', 4], ['1.5.1', 6]] },
  { vendor: 'Vigil', name: 'Bullet C300', kind: 'CAMERA', otaCapable: false, prefix: 'VGL-C300', firmware: [['0.9.8', 1]] },
  { vendor: 'Access', name: 'Reader R10', kind: 'BADGE_READER', otaCapable: true, prefix: 'ACC-R10', firmware: [['2.0.1', 3], ['2.1.0', 7]] },
  { vendor: 'Access', name: 'Reader R5', kind: 'BADGE_READER', otaCapable: false, prefix: 'ACC-R5', firmware: [['1.2.7', 1]] },
  { vendor: 'Sense', name: 'Env S1', kind: 'SENSOR', otaCapable: true, prefix: 'SNS-S1', firmware: [['0.8.2', 2], ['1.0.0', 8]] },
  { vendor: 'Sense', name: 'Leak L2', kind: 'SENSOR', otaCapable: false, prefix: 'SNS-L2', firmware: [['1.1.0', 1]] },
  { vendor: 'Hubble', name: 'Hub H1', kind: 'HUB', otaCapable: true, prefix: 'HUB-H1', firmware: [['3.3.0', 1], ['3.4.2', 3]] },
];

/** How many devices of each model, and on which segment kind they live. */
const MIX: { model: string; count: number; where: 'floor' | 'corp' | 'security' }[] = [
  { model: 'LUM-A19', count: 620, where: 'floor' },
  { model: 'LUM-P600', count: 180, where: 'floor' },
  { model: 'THM-T5', count: 120, where: 'floor' },
  { model: 'SWV-MINI', count: 150, where: 'floor' },
  { model: 'SNS-S1', count: 300, where: 'floor' },
  { model: 'SNS-L2', count: 60, where: 'floor' },
  { model: 'HUB-H1', count: 30, where: 'floor' },
  { model: 'PRC-M400', count: 60, where: 'corp' },
  { model: 'VIS-D55', count: 90, where: 'corp' },
  { model: 'VGL-C200', count: 200, where: 'security' },
  { model: 'VGL-C300', count: 40, where: 'security' },
  { model: 'ACC-R10', count: 120, where: 'security' },
  { model: 'ACC-R5', count: 30, where: 'security' },
];

/** Mulberry32: a tiny, good-enough seeded PRNG, so the same seed gives the same office. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickWeighted<T>(items: [T, number][], r: number): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items.at(-1)![0];
}

function ipIn(cidr: string, index: number): string {
  const [base] = cidr.split('/');
  const n = base!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + 10 + index;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The demo office with `scale` × ~2,000 devices (scale 0.25 gives ~500, for tests). */
export function demoOffice(seed = 42, scale = 1): DemoOffice {
  const rand = prng(seed);
  const byPrefix = new Map(DEMO_MODELS.map((m) => [m.prefix, m]));
  const used = new Map<string, number>();
  const devices: Record<string, unknown>[] = [];
  const kindLabel = (k: string) => k.charAt(0) + k.slice(1).toLowerCase().replace('_', ' ');
  for (const { model: prefix, count, where } of MIX) {
    const model = byPrefix.get(prefix)!;
    const n = Math.max(1, Math.round(count * scale));
    for (let i = 0; i < n; i++) {
      const floor = 1 + Math.floor(rand() * 3);
      const segment = where === 'floor' ? `iot-f${floor}` : where;
      const cidr = DEMO_SEGMENTS.find((s) => s.name === segment)!.cidr;
      const slot = used.get(segment) ?? 0;
      used.set(segment, slot + 1);
      const room = `${floor}.${String(1 + Math.floor(rand() * 24)).padStart(2, '0')}`;
      const serial = `${prefix}-${String(i + 1).padStart(5, '0')}`;
      const mac = Array.from({ length: 6 }, (_, j) => (j === 0 ? 0x02 : Math.floor(rand() * 256)).toString(16).padStart(2, '0')).join(':');
      const critical = model.kind === 'BADGE_READER' || model.kind === 'CAMERA';
      devices.push({
        serial,
        name: `F${floor} ${kindLabel(model.kind)} ${room}-${String(i + 1).padStart(4, '0')}`,
        model: `${model.vendor}/${model.name}`,
        firmwareVersion: pickWeighted(model.firmware, rand()),
        segment: `${DEMO_SITE.code}/${segment}`,
        ip: ipIn(cidr, slot),
        mac,
        tags: [`floor-${floor}`, ...(critical ? ['physical-security'] : []), ...(model.otaCapable ? [] : ['legacy'])],
        location: `Floor ${floor}, Room ${room}`,
        criticality: critical ? 'HIGH' : model.kind === 'PRINTER' || model.kind === 'HUB' ? 'MEDIUM' : 'LOW',
        owner: critical ? 'facilities-security' : model.kind === 'PRINTER' || model.kind === 'TV' ? 'it-workplace' : 'facilities',
        status: 'ACTIVE',
        // Doors and cameras must keep working: containment leaves them connected unless overridden.
        failSafe: critical,
      });
    }
  }
  return { site: DEMO_SITE, segments: DEMO_SEGMENTS, models: DEMO_MODELS, devices };
}

import { describe, expect, it } from 'vitest';
import type { AdvisoryRange, FleetDevice } from '../blast-radius/types.js';
import { advisoryExposure, unpatchableDevices } from './exposure.js';
import { computeReadiness } from './readiness.js';
import { wormReach } from './worm-reach.js';

const dev = (id: string, segmentId: string | null, modelId: string, firmwareVersion: string, otaCapable = true): FleetDevice => ({ id, ip: null, segmentId, modelId, firmwareVersion, otaCapable });
const range = (advisoryId: string, modelId: string, fixed: string, fixAvailable = true): AdvisoryRange => ({ advisoryId, externalId: `CVE-2026-${advisoryId}`, severity: 'HIGH', modelId, introduced: '1.0.0', fixed, fixAvailable });

/*
 * guest → iot → cameras; corp → iot; mgmt is linked from nowhere.
 * iot: 3 cams exposed to A (one unpatchable), 2 bulbs exposed to B; cameras: 4 cams exposed to A;
 * corp: 2 printers exposed to nothing; guest: 1 TV exposed to B; mgmt: 1 hub exposed to A.
 */
const devices = [
  dev('i1', 'iot', 'cam', '1.0.0'), dev('i2', 'iot', 'cam', '1.1.0'), dev('i3', 'iot', 'cam', '1.1.0', false),
  dev('i4', 'iot', 'bulb', '2.0.0'), dev('i5', 'iot', 'bulb', '2.0.0'), dev('i6', 'iot', 'bulb', '3.0.0'),
  dev('c1', 'cameras', 'cam', '1.2.0'), dev('c2', 'cameras', 'cam', '1.2.0'), dev('c3', 'cameras', 'cam', '1.2.0'), dev('c4', 'cameras', 'cam', '1.2.0'), dev('c5', 'cameras', 'cam', '2.0.0'),
  dev('p1', 'corp', 'printer', '1.0.0'), dev('p2', 'corp', 'printer', '1.0.0', false),
  dev('g1', 'guest', 'tv', '4.0.0'),
  dev('m1', 'mgmt', 'hub', '1.0.0'),
  dev('n1', null, 'cam', '1.0.0'),
];
const advisories = [range('A', 'cam', '2.0.0'), range('A', 'hub', '1.5.0', false), range('B', 'bulb', '3.0.0'), range('B', 'tv', '5.0.0'), range('C', 'printer', '0.5.0')];
const links = [
  { from: 'guest', to: 'iot' },
  { from: 'iot', to: 'cameras' },
  { from: 'corp', to: 'iot' },
  { from: 'cameras', to: 'cameras' },
];

describe('readiness: exposure per advisory', () => {
  const exposure = advisoryExposure(devices, advisories);
  it('counts exposed devices per advisory, where they are and on which firmware', () => {
    expect(exposure.map((a) => [a.externalId, a.exposed])).toEqual([['CVE-2026-A', 9], ['CVE-2026-B', 3], ['CVE-2026-C', 0]]);
    const a = exposure[0]!;
    expect(a.bySegment).toEqual([{ segmentId: 'cameras', devices: 4 }, { segmentId: 'iot', devices: 3 }, { segmentId: 'mgmt', devices: 1 }, { segmentId: null, devices: 1 }]);
    expect(a.byFirmware[0]).toEqual({ modelId: 'cam', version: '1.2.0', devices: 4 });
  });

  it('separates unpatchable devices from those a fixed release can reach now', () => {
    expect(exposure[0]).toMatchObject({ unpatchable: 1, patchableNow: 7 });
    expect(unpatchableDevices(devices)).toEqual({ total: 2, bySegment: [{ segmentId: 'iot', devices: 1 }, { segmentId: 'corp', devices: 1 }] });
  });
});

describe('readiness: worm reach', () => {
  it('spreads through linked segments that hold vulnerable devices', () => {
    const vuln = new Map([['iot', 5], ['cameras', 4], ['guest', 1]]);
    expect(wormReach('guest', vuln, links)).toEqual({ startSegment: 'guest', devices: 10, segments: ['guest', 'iot', 'cameras'] });
    expect(wormReach('cameras', vuln, links)).toEqual({ startSegment: 'cameras', devices: 4, segments: ['cameras'] });
  });

  it('enters a segment with no vulnerable device but cannot pivot through one', () => {
    const vuln = new Map([['iot', 5], ['cameras', 4]]);
    expect(wormReach('corp', vuln, links).devices).toBe(9);
    const blocked = new Map([['cameras', 4]]);
    expect(wormReach('guest', blocked, links)).toEqual({ startSegment: 'guest', devices: 0, segments: ['guest'] });
  });

  it('follows links in their direction only', () => {
    expect(wormReach('iot', new Map([['guest', 1], ['corp', 2], ['iot', 1]]), links).devices).toBe(1);
  });
});

describe('readiness report', () => {
  const r = computeReadiness({ devices, advisories, links });

  it('ranks segments by worm reach with the worst single advisory', () => {
    expect(r.segments.map((s) => [s.segmentId, s.anyAdvisory.devices])).toEqual([
      ['guest', 10], ['corp', 9], ['iot', 9], ['cameras', 4], ['mgmt', 1],
    ]);
    // From guest, CVE-A has no victim on guest itself but the entry point reaches iot's cameras, then the camera segment.
    const guest = r.segments[0]!;
    expect(guest.worstAdvisory).toMatchObject({ externalId: 'CVE-2026-A', devices: 7, segments: ['guest', 'iot', 'cameras'] });
    const iot = r.segments.find((s) => s.segmentId === 'iot')!;
    expect(iot).toMatchObject({ devices: 6, vulnerable: 5, worstAdvisory: { externalId: 'CVE-2026-A', devices: 7, segments: ['iot', 'cameras'] } });
  });

  it('answers how many devices would suffer at the same time', () => {
    expect(r.simultaneous).toEqual({ devices: 10, unpatchable: 1, startSegment: 'guest', segments: ['guest', 'iot', 'cameras'] });
  });

  it('is all zeros for a patched fleet', () => {
    const patched = computeReadiness({ devices: devices.map((d) => ({ ...d, firmwareVersion: '9.0.0' })), advisories, links });
    expect(patched.simultaneous.devices).toBe(0);
    expect(patched.advisories.every((a) => a.exposed === 0)).toBe(true);
    expect(patched.segments.every((s) => s.worstAdvisory === null)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { inAdvisoryRange } from './advisory-match.js';
import { computeBlastRadius, type BlastRadiusEntry } from './score.js';
import type { AdvisoryRange, ContactEdge, FleetDevice } from './types.js';

const CAM = 'model-cam';
const BULB = 'model-bulb';
const dev = (id: string, over: Partial<FleetDevice> = {}): FleetDevice => ({
  id,
  ip: null,
  segmentId: 'seg-b',
  modelId: BULB,
  firmwareVersion: '5.0.0',
  otaCapable: true,
  ...over,
});
const edge = (deviceId: string, peerIp: string, count = 1, over: Partial<ContactEdge> = {}): ContactEdge => ({ deviceId, peerIp, port: 23, count, bytes: count * 100, ...over });
const advisory: AdvisoryRange = { advisoryId: 'adv-1', externalId: 'CVE-2026-0001', severity: 'CRITICAL', modelId: CAM, introduced: '1.0.0', fixed: '1.4.0', fixAvailable: true };

/*
 * seg-a: x (compromised cam 1.2.0) 10.0.0.1, a1 (cam 1.3.0, contacted by x), a2 (cam 1.4.0 patched, same segment),
 *        a3 (bulb, contacted a1 → 2 hops from x)
 * seg-b: b1 (cam 1.0.5, vulnerable, not in contact), b2 (bulb, unrelated), b3 (bulb, unpatchable, unrelated),
 *        b4 (cam 1.1.0 unpatchable: vulnerable and unpatchable), b5 (reached 3 hops from x)
 */
const devices: FleetDevice[] = [
  dev('x', { ip: '10.0.0.1', segmentId: 'seg-a', modelId: CAM, firmwareVersion: '1.2.0' }),
  dev('a1', { ip: '10.0.0.2', segmentId: 'seg-a', modelId: CAM, firmwareVersion: '1.3.0' }),
  dev('a2', { ip: '10.0.0.3', segmentId: 'seg-a', modelId: CAM, firmwareVersion: '1.4.0' }),
  dev('a3', { ip: '10.0.0.4', segmentId: 'seg-a' }),
  dev('b1', { ip: '10.1.0.1', modelId: CAM, firmwareVersion: '1.0.5' }),
  dev('b2', { ip: '10.1.0.2' }),
  dev('b3', { ip: '10.1.0.3', otaCapable: false }),
  dev('b4', { ip: '10.1.0.4', modelId: CAM, firmwareVersion: '1.1.0', otaCapable: false }),
  dev('b5', { ip: '10.1.0.5' }),
];
const contacts: ContactEdge[] = [
  edge('x', '10.0.0.2', 40), // x telnets to a1
  edge('a3', '::ffff:10.0.0.2', 3), // a3 reached a1 (IPv4-mapped spelling)
  edge('b5', '10.0.0.4', 1), // b5 talked to a3: 3 hops from x
  edge('x', '8.8.8.8', 10), // not a device
  edge('b2', '10.1.0.3', 5), // unrelated to x
];

const byId = (entries: BlastRadiusEntry[]) => Object.fromEntries(entries.map((e) => [e.deviceId, e]));

describe('blast radius', () => {
  const r = computeBlastRadius({ compromised: ['x'], devices, contacts, advisories: [advisory] }, { maxHops: 2 });
  const e = byId(r.entries);

  it('puts direct contacts in tier 1 with the contact facts', () => {
    expect(e.a1!.tier).toBe(1);
    expect(e.a1!.reasons).toContainEqual({ kind: 'CONTACTED', hops: 1, via: 'x', contactedBy: true, contacted: false, count: 40, bytes: 4000 });
  });

  it('follows the contact graph in both directions up to maxHops, resolving peers by IP', () => {
    expect(e.a3!.tier).toBe(2);
    expect(e.a3!.reasons[0]).toMatchObject({ kind: 'CONTACTED', hops: 2, via: 'a1', contacted: true, contactedBy: false });
    expect(e.b5).toBeUndefined();
    const deeper = byId(computeBlastRadius({ compromised: ['x'], devices, contacts, advisories: [advisory] }, { maxHops: 3 }).entries);
    expect(deeper.b5!.reasons[0]).toMatchObject({ kind: 'CONTACTED', hops: 3, via: 'a3' });
  });

  it('ranks same-segment devices, and vulnerable firmware with the advisory ids, in tier 3', () => {
    expect(e.a2).toMatchObject({ tier: 3, reasons: [{ kind: 'SAME_SEGMENT', segmentId: 'seg-a' }] });
    expect(e.b1).toMatchObject({ tier: 3, reasons: [{ kind: 'VULNERABLE_FIRMWARE', advisories: ['CVE-2026-0001'], fixAvailable: true }] });
    expect(r.exploitedAdvisories).toEqual(['CVE-2026-0001']);
  });

  it('lists every reason of a device and ranks the worse one higher within its tier', () => {
    expect(e.b4!.reasons.map((x) => x.kind)).toEqual(['VULNERABLE_FIRMWARE', 'UNPATCHABLE']);
    const tier3 = r.entries.filter((x) => x.tier === 3).map((x) => x.deviceId);
    expect(tier3.indexOf('b4')).toBeLessThan(tier3.indexOf('b1'));
    expect(e.a1!.reasons.map((x) => x.kind)).toEqual(['CONTACTED', 'SAME_SEGMENT', 'VULNERABLE_FIRMWARE']);
  });

  it('keeps unrelated but unpatchable devices in tier 4 and leaves the rest out', () => {
    expect(e.b3).toMatchObject({ tier: 4, reasons: [{ kind: 'UNPATCHABLE' }] });
    expect(e.b2).toBeUndefined();
    expect(e.x).toBeUndefined();
    const without = computeBlastRadius({ compromised: ['x'], devices, contacts, advisories: [advisory] }, { includeUnpatchable: false });
    expect(without.entries.map((x) => x.deviceId)).not.toContain('b3');
  });

  it('counts per tier and per segment, ordered tier first', () => {
    expect(r.byTier).toEqual({ 1: 1, 2: 1, 3: 3, 4: 1 });
    expect(r.total).toBe(6);
    expect(r.bySegment).toEqual([
      { segmentId: 'seg-a', total: 3, byTier: { 1: 1, 2: 1, 3: 1, 4: 0 } },
      { segmentId: 'seg-b', total: 3, byTier: { 1: 0, 2: 0, 3: 2, 4: 1 } },
    ]);
    expect(r.entries.map((x) => x.tier)).toEqual([...r.entries.map((x) => x.tier)].sort());
  });

  it('promotes a same-segment device that is also vulnerable to tier 2', () => {
    const more = [...devices, dev('a4', { segmentId: 'seg-a', modelId: CAM, firmwareVersion: '1.0.0' })];
    const a4 = byId(computeBlastRadius({ compromised: ['x'], devices: more, contacts, advisories: [advisory] }).entries).a4!;
    expect(a4.tier).toBe(2);
  });

  it('falls back to the same model and version when the compromised firmware has no known advisory', () => {
    const fleet = [dev('y', { firmwareVersion: '5.0.0' }), dev('twin', { segmentId: 'seg-z' }), dev('other', { segmentId: 'seg-z', firmwareVersion: '5.1.0' })];
    const out = byId(computeBlastRadius({ compromised: ['y'], devices: fleet, contacts: [], advisories: [] }).entries);
    expect(out.twin).toMatchObject({ tier: 3, reasons: [{ kind: 'SAME_FIRMWARE', modelId: BULB, version: '5.0.0' }] });
    expect(out.other).toBeUndefined();
  });

  it('uses a known peer device id over the IP, and ignores unknown compromised ids', () => {
    const out = computeBlastRadius({ compromised: ['x', 'ghost'], devices, contacts: [edge('x', '192.0.2.1', 2, { peerDeviceId: 'b2' })], advisories: [] });
    expect(out.compromised).toEqual(['x']);
    expect(byId(out.entries).b2!.tier).toBe(1);
  });

  // Speed belongs to the benchmarks (wall-clock limits in tests fail on a busy machine); this checks
  // that a fleet-sized graph is handled at all and reaches every tier it should.
  it('scores 10,000 devices and 200,000 contacts', () => {
    const fleet = Array.from({ length: 10_000 }, (_, i) => dev(`d${i}`, { ip: `10.${i >> 8}.${i & 255}.1`, segmentId: `s${i % 40}`, otaCapable: i % 7 !== 0 }));
    const edges = Array.from({ length: 200_000 }, (_, i) => edge(`d${(i * 7919) % 10_000}`, `10.${((i * 104729) % 10_000) >> 8}.${((i * 104729) % 10_000) & 255}.1`, 1 + (i % 5)));
    const out = computeBlastRadius({ compromised: ['d1', 'd2', 'd3'], devices: fleet, contacts: edges, advisories: [] }, { maxHops: 3 });
    expect(out.byTier[1]).toBeGreaterThan(0);
    expect(out.entries.length).toBeGreaterThan(out.byTier[1]!);
  });
});

describe('advisory version ranges', () => {
  const r = (over: Partial<AdvisoryRange>): AdvisoryRange => ({ ...advisory, introduced: null, fixed: null, lastAffected: null, ...over });
  it('matches introduced ≤ v < fixed, v ≤ lastAffected, or everything from introduced', () => {
    expect(inAdvisoryRange('1.3.9', r({ introduced: '1.0', fixed: '1.4.0' }))).toBe(true);
    expect(inAdvisoryRange('1.4.0', r({ introduced: '1.0', fixed: '1.4.0' }))).toBe(false);
    expect(inAdvisoryRange('0.9.0', r({ introduced: '1.0', fixed: '1.4.0' }))).toBe(false);
    expect(inAdvisoryRange('1.4.0-rc.1', r({ fixed: '1.4.0' }))).toBe(true);
    expect(inAdvisoryRange('2.0.0', r({ lastAffected: '2.0.0' }))).toBe(true);
    expect(inAdvisoryRange('2.0.1', r({ lastAffected: '2.0.0' }))).toBe(false);
    expect(inAdvisoryRange('9.0.0', r({ introduced: '2.0.0' }))).toBe(true);
    expect(inAdvisoryRange(null, r({}))).toBe(false);
    expect(inAdvisoryRange('garbage', r({}))).toBe(false);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDeviceContacts, type ContactRow } from '@warden/db';
import { createTestDatabase, testConfig, type TestDatabase } from '@warden/testing';
import { SYSTEM_ACTOR, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import type { AdvisoryRange, FleetDevice } from '../blast-radius/types.js';
import { upsertAdvisory } from '../firmware/advisories.js';
import { firmwareKey } from '../fleet/firmware-version.js';
import { getReadiness } from './query.js';
import { computeReadiness } from './readiness.js';

/*
 * A small known office in Postgres. HQ: guest → iot → cameras, corp → iot (from contacts);
 * lab (another site) → mgmt.
 *   iot: i1 cam 1.0.0, i2 cam 1.1.0, i3 old cam 1.1.0 (unpatchable), i4/i5 bulb 2.0.0, i6 bulb 3.0.0, r1 (retired)
 *   cameras: c1–c4 cam 1.2.0, c5 cam 2.0.0;  corp: p1 printer, p2 old printer (unpatchable)
 *   guest: g1 tv 4.0.0;  mgmt: m1 hub 1.0.0;  no segment: n1 cam 1.0.0;  lab: l1 cam 1.0.0
 * Advisory A: cam and old cam < 2.0.0 (cam 2.0.0 released), hub < 1.5.0 (no release);
 * B: bulb < 3.0.0 (released), tv < 5.0.0; C: printer < 0.5.0 (nobody).
 */
let t: TestDatabase;
let deps: CoreDeps;
const viewer: Actor = { type: 'USER', id: null, name: 'vera', role: 'VIEWER' };
const seg: Record<string, string> = {};
const dev: Record<string, string> = {};
let hq: string;
let fleet: (FleetDevice & { site: string })[];
let ranges: AdvisoryRange[];

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, sql: t.sql, config: testConfig() };
  hq = (await t.db.site.create({ data: { code: 'hq', name: 'HQ' } })).id;
  const lab = (await t.db.site.create({ data: { code: 'lab', name: 'Lab' } })).id;
  for (const [i, n] of ['guest', 'iot', 'cameras', 'corp', 'mgmt', 'lab'].entries()) {
    seg[n] = (await t.db.segment.create({ data: { siteId: n === 'lab' ? lab : hq, name: n, cidr: `10.${i}.0.0/16`, zone: 'IOT' } })).id;
  }
  const models: Record<string, { id: string; ota: boolean }> = {};
  for (const [n, ota] of [['cam', true], ['oldcam', false], ['bulb', true], ['printer', true], ['oldprinter', false], ['tv', true], ['hub', true]] as const) {
    models[n] = { id: (await t.db.deviceModel.create({ data: { vendor: 'V', name: n, kind: 'OTHER', otaCapable: ota } })).id, ota };
  }
  const spec: [string, string | null, string, string, boolean?][] = [
    ['i1', 'iot', 'cam', '1.0.0'], ['i2', 'iot', 'cam', '1.1.0'], ['i3', 'iot', 'oldcam', '1.1.0'], ['i4', 'iot', 'bulb', '2.0.0'], ['i5', 'iot', 'bulb', '2.0.0'], ['i6', 'iot', 'bulb', '3.0.0'],
    ['r1', 'iot', 'cam', '1.0.0', true],
    ['c1', 'cameras', 'cam', '1.2.0'], ['c2', 'cameras', 'cam', '1.2.0'], ['c3', 'cameras', 'cam', '1.2.0'], ['c4', 'cameras', 'cam', '1.2.0'], ['c5', 'cameras', 'cam', '2.0.0'],
    ['p1', 'corp', 'printer', '1.0.0'], ['p2', 'corp', 'oldprinter', '1.0.0'], ['g1', 'guest', 'tv', '4.0.0'], ['m1', 'mgmt', 'hub', '1.0.0'], ['n1', null, 'cam', '1.0.0'], ['l1', 'lab', 'cam', '1.0.0'],
  ];
  for (const [i, [n, s, m, fw, retired]] of spec.entries()) {
    dev[n] = randomUUID();
    await t.db.device.create({
      data: { id: dev[n], serial: `RD-${n}`, controllerId: `rd-${n}`, name: n, kind: 'OTHER', modelId: models[m]!.id, firmwareVersion: fw, firmwareKey: firmwareKey(fw), segmentId: s ? seg[s]! : null, ip: `10.200.0.${i + 1}`, status: retired ? 'RETIRED' : 'ACTIVE' },
    });
  }
  await t.db.release.create({ data: { modelId: models.cam!.id, version: '2.0.0', versionKey: firmwareKey('2.0.0')!, name: 'cam' } });
  await t.db.release.create({ data: { modelId: models.bulb!.id, version: '3.0.0', versionKey: firmwareKey('3.0.0')!, name: 'bulb' } });
  const r = (m: string, fixed: string) => ({ modelId: models[m]!.id, introduced: '1.0.0', fixed, lastAffected: null });
  const a = await upsertAdvisory(deps, SYSTEM_ACTOR, { externalId: 'CVE-A', severity: 'CRITICAL', affected: [r('cam', '2.0.0'), r('oldcam', '2.0.0'), r('hub', '1.5.0')] });
  const b = await upsertAdvisory(deps, SYSTEM_ACTOR, { externalId: 'CVE-B', severity: 'HIGH', affected: [r('bulb', '3.0.0'), r('tv', '5.0.0')] });
  const c = await upsertAdvisory(deps, SYSTEM_ACTOR, { externalId: 'CVE-C', severity: 'LOW', affected: [{ modelId: models.printer!.id, introduced: '0.1.0', fixed: '0.5.0', lastAffected: null }] });

  const ipOf = (n: string) => `10.200.0.${spec.findIndex((s) => s[0] === n) + 1}`;
  const contact = (from: string, to: string, outbound = true): ContactRow => ({
    deviceId: dev[from]!, peerIp: ipOf(to), port: 445, protocol: 'tcp', outbound, firstSeenAt: '2026-11-20T10:00:00Z', lastSeenAt: '2026-11-20T10:00:00Z', bytes: 1, packets: 1, count: 1,
  });
  // c2 records i1 connecting to it (inbound): iot → cameras, as i2 → c1 says too.
  await upsertDeviceContacts(t.sql, [contact('g1', 'i1'), contact('i2', 'c1'), contact('p1', 'i4'), contact('c2', 'i1', false), contact('c1', 'c2'), contact('l1', 'm1')]);

  fleet = spec.filter((s) => !s[4]).map(([n, s, m, fw]) => ({ id: dev[n]!, ip: null, segmentId: s ? seg[s]! : null, modelId: models[m]!.id, firmwareVersion: fw, otaCapable: models[m]!.ota, site: s === 'lab' ? lab : hq }));
  ranges = [a, b, c].flatMap((adv) => adv.affected.map((x) => ({ advisoryId: adv.id, externalId: adv.externalId, severity: adv.severity, modelId: x.modelId, introduced: x.introduced, fixed: x.fixed, fixAvailable: x.fixedReleaseId !== null })));
});
afterAll(() => t.drop());

const links = () => [
  { from: seg.guest!, to: seg.iot! },
  { from: seg.iot!, to: seg.cameras! },
  { from: seg.corp!, to: seg.iot! },
  { from: seg.lab!, to: seg.mgmt! },
];

describe('readiness from SQL aggregates', () => {
  it('agrees with the in-memory computation over the same fleet', async () => {
    const sql = await getReadiness(deps, viewer);
    const ref = computeReadiness({ devices: fleet, advisories: ranges, links: links() });
    expect(sql).toEqual(ref);
  });

  it('answers exposure per advisory and where, unpatchable devices, worm reach and the worst case', async () => {
    const r = await getReadiness(deps, viewer);
    expect(r.advisories.map((a) => [a.externalId, a.exposed, a.unpatchable, a.patchableNow])).toEqual([['CVE-A', 10, 1, 8], ['CVE-B', 3, 0, 2], ['CVE-C', 0, 0, 0]]);
    expect(r.advisories[0]!.bySegment).toEqual([
      { segmentId: seg.cameras, devices: 4 }, { segmentId: seg.iot, devices: 3 },
      ...[seg.lab!, seg.mgmt!].sort().map((segmentId) => ({ segmentId, devices: 1 })), { segmentId: null, devices: 1 },
    ]);
    expect(r.unpatchable.total).toBe(2);
    const reach = Object.fromEntries(r.segments.map((s) => [Object.entries(seg).find(([, v]) => v === s.segmentId)![0], s.anyAdvisory.devices]));
    expect(reach).toEqual({ guest: 10, corp: 9, iot: 9, cameras: 4, lab: 2, mgmt: 1 });
    expect(r.simultaneous).toEqual({ devices: 10, unpatchable: 1, startSegment: seg.guest, segments: [seg.guest, seg.iot, seg.cameras] });
    const guest = r.segments.find((s) => s.segmentId === seg.guest)!;
    expect(guest.worstAdvisory).toMatchObject({ externalId: 'CVE-A', devices: 7 });
  });

  it('narrows to one site, and refuses a bad or unknown site', async () => {
    const r = await getReadiness(deps, viewer, { siteId: hq });
    expect(r.advisories[0]).toMatchObject({ externalId: 'CVE-A', exposed: 8 });
    expect(r.segments.map((s) => s.segmentId)).not.toContain(seg.lab);
    expect(r.simultaneous.devices).toBe(10);
    await expect(getReadiness(deps, viewer, { siteId: 'x' })).rejects.toThrow(/siteId: not an id/);
    await expect(getReadiness(deps, viewer, { siteId: randomUUID() })).rejects.toThrow(/not found/);
    await expect(getReadiness(deps, null as unknown as Actor)).rejects.toThrow(/sign in/);
  });
});

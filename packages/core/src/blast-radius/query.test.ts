import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDeviceContacts, type ContactRow } from '@warden/db';
import { createTestDatabase, testConfig, type TestDatabase } from '@warden/testing';
import { SYSTEM_ACTOR, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { upsertAdvisory } from '../firmware/advisories.js';
import { firmwareKey } from '../fleet/firmware-version.js';
import { getBlastRadius, blastRadiusTiers, type BlastRadiusReport } from './query.js';
import { computeBlastRadius } from './score.js';
import { resolveDeviceSelector } from './selectors.js';
import type { AdvisoryRange, ContactEdge, FleetDevice } from './types.js';

/*
 * The fleet of score.test.ts, in Postgres, with contacts written through the stream's upsert:
 * seg-a: x (compromised cam 1.2.0) 10.0.0.1, a1 (cam 1.3.0, contacted by x), a2 (cam 1.4.0 patched),
 *        a3 (bulb, contacted a1 → 2 hops from x)
 * seg-b: b1 (cam 1.0.5, vulnerable), b2 (bulb), b3 (old bulb, unpatchable), b4 (old cam 1.1.0:
 *        vulnerable and unpatchable), b5 (talked to a3: 3 hops from x)
 */
let t: TestDatabase;
let deps: CoreDeps;
const id: Record<string, string> = {};
const name = (deviceId: string) => Object.entries(id).find(([, v]) => v === deviceId)?.[0] ?? deviceId;
let fleet: FleetDevice[];
let edges: ContactEdge[];
let ranges: AdvisoryRange[];
let incidentId: string;
let segA: string;
let segB: string;
const viewer: Actor = { type: 'USER', id: null, name: 'vera', role: 'VIEWER' };

const contact = (from: string, peerIp: string, count: number): ContactRow => ({
  deviceId: id[from]!,
  peerIp,
  port: 23,
  protocol: 'tcp',
  outbound: true,
  firstSeenAt: '2026-11-20T10:00:00.000Z',
  lastSeenAt: '2026-11-20T10:05:00.000Z',
  bytes: count * 100,
  packets: count,
  count,
});

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, sql: t.sql, config: testConfig() };
  const site = await t.db.site.create({ data: { code: 'hq', name: 'HQ' } });
  segA = (await t.db.segment.create({ data: { siteId: site.id, name: 'seg-a', cidr: '10.0.0.0/24', zone: 'IOT' } })).id;
  segB = (await t.db.segment.create({ data: { siteId: site.id, name: 'seg-b', cidr: '10.1.0.0/24', zone: 'IOT' } })).id;
  const model = async (n: string, kind: 'CAMERA' | 'LIGHT', otaCapable: boolean) => (await t.db.deviceModel.create({ data: { vendor: 'V', name: n, kind, otaCapable } })).id;
  const cam = await model('Cam', 'CAMERA', true);
  const oldCam = await model('Cam Classic', 'CAMERA', false);
  const bulb = await model('Bulb', 'LIGHT', true);
  const oldBulb = await model('Bulb Classic', 'LIGHT', false);
  const spec: [string, string, string, string, string][] = [
    ['x', '10.0.0.1', 'a', cam, '1.2.0'],
    ['a1', '10.0.0.2', 'a', cam, '1.3.0'],
    ['a2', '10.0.0.3', 'a', cam, '1.4.0'],
    ['a3', '10.0.0.4', 'a', bulb, '5.0.0'],
    ['b1', '10.1.0.1', 'b', cam, '1.0.5'],
    ['b2', '10.1.0.2', 'b', bulb, '5.0.0'],
    ['b3', '10.1.0.3', 'b', oldBulb, '5.0.0'],
    ['b4', '10.1.0.4', 'b', oldCam, '1.1.0'],
    ['b5', '10.1.0.5', 'b', bulb, '5.0.0'],
  ];
  for (const [n] of spec) id[n] = randomUUID();
  await t.db.device.createMany({
    data: spec.map(([n, ip, seg, modelId, fw]) => ({
      id: id[n]!, serial: `BR-${n}`, controllerId: `br-${n}`, name: n, kind: modelId === cam || modelId === oldCam ? 'CAMERA' : 'LIGHT',
      modelId, firmwareVersion: fw, firmwareKey: firmwareKey(fw), segmentId: seg === 'a' ? segA : segB, ip, status: 'ACTIVE',
    })),
  });
  await t.db.release.create({ data: { modelId: cam, version: '1.4.0', versionKey: firmwareKey('1.4.0')!, name: 'cam' } });
  await upsertAdvisory(deps, SYSTEM_ACTOR, {
    externalId: 'CVE-2026-0001',
    severity: 'CRITICAL',
    affected: [
      { modelId: cam, introduced: '1.0.0', fixed: '1.4.0', lastAffected: null },
      { modelId: oldCam, introduced: '1.0.0', fixed: '1.4.0', lastAffected: null },
    ],
  });
  await upsertDeviceContacts(t.sql, [
    contact('x', '10.0.0.2', 40), // x telnets to a1
    contact('a3', '::ffff:10.0.0.2', 3), // a3 reached a1 (IPv4-mapped spelling)
    contact('b5', '10.0.0.4', 1), // b5 talked to a3: 3 hops from x
    contact('x', '8.8.8.8', 10), // not a device
    contact('b2', '10.1.0.3', 5), // unrelated to x
  ]);
  incidentId = randomUUID();
  const at = new Date();
  await t.db.incident.create({
    data: { id: incidentId, correlationKey: `device:${id.x}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'telnet scan', severity: 'HIGH', segmentId: segA, deviceIds: [id.x!], firstAlertAt: at, lastAlertAt: at },
  });

  // The same data for the in-memory reference implementation.
  const models = await t.db.deviceModel.findMany();
  const ota = new Map(models.map((m) => [m.id, m.otaCapable]));
  fleet = spec.map(([n, ip, seg, modelId, fw]) => ({ id: id[n]!, ip, segmentId: seg === 'a' ? segA : segB, modelId, firmwareVersion: fw, otaCapable: ota.get(modelId)! }));
  const stored = await t.sql.query<{ device_id: string; peer_ip: string; port: number; count: string; bytes: string }>('SELECT device_id, host(peer_ip) AS peer_ip, port, count, bytes FROM device_contacts');
  edges = stored.rows.map((r) => ({ deviceId: r.device_id, peerIp: r.peer_ip, port: r.port, count: Number(r.count), bytes: Number(r.bytes) }));
  ranges = [cam, oldCam].map((modelId) => ({ advisoryId: 'a', externalId: 'CVE-2026-0001', severity: 'CRITICAL', modelId, introduced: '1.0.0', fixed: '1.4.0', fixAvailable: modelId === cam }));
});
afterAll(() => t.drop());

const byName = (r: BlastRadiusReport) => Object.fromEntries(r.devices.map((d) => [name(d.deviceId), d]));

describe('contact peers', () => {
  it('are resolved to devices when the stream writes the contact, whatever the address spelling', async () => {
    const { rows } = await t.sql.query<{ device_id: string; peer_device_id: string | null; peer: string }>('SELECT device_id, peer_device_id, host(peer_ip) AS peer FROM device_contacts');
    const peers = Object.fromEntries(rows.map((r) => [`${name(r.device_id)}→${r.peer}`, r.peer_device_id && name(r.peer_device_id)]));
    expect(peers).toEqual({ 'x→10.0.0.2': 'a1', 'a3→::ffff:10.0.0.2': 'a1', 'b5→10.0.0.4': 'a3', 'x→8.8.8.8': null, 'b2→10.1.0.3': 'b3' });
  });

  it('are claimed by a device registered after the contact was stored', async () => {
    await upsertDeviceContacts(t.sql, [contact('b2', '10.9.9.9', 1), contact('b5', '::ffff:10.9.9.9', 1)]);
    const late = await t.db.device.create({ data: { serial: 'BR-late', controllerId: 'br-late', name: 'late', kind: 'LIGHT', modelId: fleet[5]!.modelId, ip: '10.9.9.9', status: 'ACTIVE' } });
    const { rows } = await t.sql.query<{ peer_device_id: string }>("SELECT peer_device_id FROM device_contacts WHERE peer_ip IN ('10.9.9.9', '::ffff:10.9.9.9')");
    expect(rows).toEqual([{ peer_device_id: late.id }, { peer_device_id: late.id }]);
    // Retired, it stays out of the rest of this file's blast radius, and claims no new contacts.
    await t.db.device.update({ where: { id: late.id }, data: { status: 'RETIRED' } });
    await upsertDeviceContacts(t.sql, [contact('b1', '10.9.9.9', 1)]);
    const fresh = await t.sql.query<{ peer_device_id: string | null }>("SELECT peer_device_id FROM device_contacts WHERE device_id = $1 AND peer_ip = '10.9.9.9'", [id.b1]);
    expect(fresh.rows).toEqual([{ peer_device_id: null }]);
  });
});

describe('blast radius in SQL', () => {
  it('agrees with the reference implementation on tiers, reasons and counts', async () => {
    for (const maxHops of [1, 2, 3]) {
      const sql = await getBlastRadius(deps, viewer, { incidentId, maxHops, first: 50 });
      const ref = computeBlastRadius({ compromised: [id.x!], devices: fleet, contacts: edges, advisories: ranges }, { maxHops });
      expect(sql.devices.map((d) => [name(d.deviceId), d.tier, d.reasons.map((r) => r.kind)]).sort(), `maxHops ${maxHops}`).toEqual(
        ref.entries.map((e) => [name(e.deviceId), e.tier, e.reasons.map((r) => r.kind)]).sort(),
      );
      expect(sql.byTier).toEqual(ref.byTier);
      expect(sql.total).toBe(ref.total);
      expect(sql.bySegment.map((s) => [s.segmentId, s.total, s.byTier]).sort()).toEqual(ref.bySegment.map((s) => [s.segmentId, s.total, s.byTier]).sort());
      const refContacts = ref.entries.flatMap((e) => e.reasons.filter((r) => r.kind === 'CONTACTED').map((r) => [name(e.deviceId), r]));
      const sqlContacts = sql.devices.flatMap((d) => d.reasons.filter((r) => r.kind === 'CONTACTED').map((r) => [name(d.deviceId), r]));
      expect(sqlContacts.sort()).toEqual(refContacts.sort());
    }
  });

  it('names the hop, the neighbour, who opened the connections, the advisories and what cannot be patched', async () => {
    const r = await getBlastRadius(deps, viewer, { incidentId, maxHops: 3 });
    const e = byName(r);
    expect(r.compromised).toEqual([id.x]);
    expect(r.exploitedAdvisories).toEqual(['CVE-2026-0001']);
    expect(e.a1!.reasons).toEqual([
      { kind: 'CONTACTED', hops: 1, via: id.x, contactedBy: true, contacted: false, count: 40, bytes: 4000 },
      { kind: 'SAME_SEGMENT', segmentId: segA },
      { kind: 'VULNERABLE_FIRMWARE', advisories: ['CVE-2026-0001'], fixAvailable: true },
    ]);
    expect(e.a3!.reasons[0]).toEqual({ kind: 'CONTACTED', hops: 2, via: id.a1, contactedBy: false, contacted: true, count: 3, bytes: 300 });
    expect(e.b5).toMatchObject({ tier: 2, reasons: [{ kind: 'CONTACTED', hops: 3, via: id.a3 }] });
    expect(e.b4).toMatchObject({ tier: 3, reasons: [{ kind: 'VULNERABLE_FIRMWARE', fixAvailable: false }, { kind: 'UNPATCHABLE' }] });
    expect(e.b3).toMatchObject({ tier: 4, reasons: [{ kind: 'UNPATCHABLE' }] });
    expect(e.b2).toBeUndefined();
    expect(e.x).toBeUndefined();
  });

  it('ranks tier first and pages with cursors without losing or repeating a device', async () => {
    const all = await getBlastRadius(deps, viewer, { incidentId, maxHops: 3, first: 50 });
    expect(all.devices.map((d) => d.tier)).toEqual([...all.devices.map((d) => d.tier)].sort());
    expect(all.hasNextPage).toBe(false);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: BlastRadiusReport = await getBlastRadius(deps, viewer, { incidentId, maxHops: 3, first: 2, after });
      seen.push(...p.devices.map((d) => d.deviceId));
      expect(p.total).toBe(all.total);
      if (!p.hasNextPage) break;
      after = p.endCursor;
    }
    expect(seen).toEqual(all.devices.map((d) => d.deviceId));
  });

  it('measures from any set of devices, and counts only with first: 0', async () => {
    const r = await getBlastRadius(deps, viewer, { deviceIds: [id.b2!], maxHops: 1, first: 0 });
    expect(r.devices).toEqual([]);
    expect(r.byTier[1]).toBe(1); // b3, which b2 talked to
    expect(r.bySegment.find((s) => s.segmentId === segB)!.byTier[1]).toBe(1);
  });

  it('refuses bad input with the field named, and unknown incidents or devices as not found', async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'OK', (e: { code: string; message: string }) => `${e.code}: ${e.message}`);
    expect(await code(getBlastRadius(deps, viewer, { incidentId, maxHops: 5 }))).toMatch(/^BAD_USER_INPUT: maxHops: from 1 to 4/);
    expect(await code(getBlastRadius(deps, viewer, { incidentId, maxHops: 0 }))).toMatch(/^BAD_USER_INPUT: maxHops/);
    expect(await code(getBlastRadius(deps, viewer, {}))).toMatch(/^BAD_USER_INPUT: give either incidentId or deviceIds/);
    expect(await code(getBlastRadius(deps, viewer, { incidentId, deviceIds: [id.x!] }))).toMatch(/^BAD_USER_INPUT: give either/);
    expect(await code(getBlastRadius(deps, viewer, { incidentId: 'nope' }))).toMatch(/^BAD_USER_INPUT: incidentId/);
    expect(await code(getBlastRadius(deps, viewer, { incidentId, after: 'garbage' }))).toMatch(/^BAD_USER_INPUT: after/);
    expect(await code(getBlastRadius(deps, viewer, { incidentId: randomUUID() }))).toMatch(/^NOT_FOUND: incident/);
    expect(await code(getBlastRadius(deps, viewer, { deviceIds: [randomUUID()] }))).toMatch(/^NOT_FOUND: device/);
    expect(await code(getBlastRadius(deps, null as unknown as Actor, { incidentId }))).toMatch(/^UNAUTHENTICATED/);
  });
});

describe('playbook selectors', () => {
  it('resolve incident.devices and blast-radius tiers to device ids, most exposed first', async () => {
    expect(await resolveDeviceSelector(deps, incidentId, 'incident.devices')).toEqual([id.x]);
    const tiers = await blastRadiusTiers(deps, incidentId);
    expect(tiers[1].map(name)).toEqual(['a1']);
    expect((await resolveDeviceSelector(deps, incidentId, 'blast_radius.tier:1')).map(name)).toEqual(['a1']);
    const upTo3 = (await resolveDeviceSelector(deps, incidentId, { from: 'blast_radius', maxTier: 3, exactTier: false })).map(name);
    expect(upTo3).toEqual([...tiers[1], ...tiers[2], ...tiers[3]].map(name));
    expect(upTo3.slice(0, 2)).toEqual(['a1', 'a3']);
    expect(upTo3).not.toContain('b3');
    await expect(resolveDeviceSelector(deps, incidentId, 'tier1')).rejects.toThrow(/not a device selector/);
    await expect(resolveDeviceSelector(deps, randomUUID(), 'incident.devices')).rejects.toThrow(/not found/);
  });
});

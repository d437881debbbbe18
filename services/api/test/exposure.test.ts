import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, firmwareKey } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { upsertDeviceContacts } from '@warden/db';
import { codeOf, startApi } from './harness.js';
import { rolloutFixtures } from './rollout-fixtures.js';

const api = await startApi();
const fx = rolloutFixtures(api);
let viewer: string;
let operator: string;
let responder: string;
let incidentId: string;
const serial: Record<string, string> = {};

/*
 * iot (10.60.0.0/24): D0 (compromised, 0.9.0), D1 (0.9.0), D3 (1.1.0, patched), L0 (a lamp that
 * cannot be updated); cams (10.61.0.0/24): D2 (0.9.0), which D0 opened 7 connections to.
 * CVE-2026-4242 affects the camera model below 1.0.0; releases 1.0.0 and 1.1.0 exist.
 */
beforeAll(async () => {
  [viewer, operator, responder] = await Promise.all([api.signIn('VIEWER'), api.signIn('OPERATOR'), api.signIn('RESPONDER')]);
  const db = api.db;
  const site = await db.site.create({ data: { code: 'hq', name: 'HQ' } });
  const iot = await db.segment.create({ data: { siteId: site.id, name: 'iot', cidr: '10.60.0.0/24', zone: 'IOT' } });
  const cams = await db.segment.create({ data: { siteId: site.id, name: 'cams', cidr: '10.61.0.0/24', zone: 'IOT' } });
  const f = await fx.fleet();
  const lamp = await db.deviceModel.create({ data: { vendor: 'Old', name: 'Lamp', kind: 'LIGHT', otaCapable: false } });
  const extra = async (name: string, modelId: string, fw: string) =>
    (await db.device.create({ data: { serial: `EX-${name}`, controllerId: `ex-${name}`, name, kind: 'CAMERA', modelId, firmwareVersion: fw, firmwareKey: firmwareKey(fw), status: 'ACTIVE' } })).id;
  const ids = { D0: f.deviceIds[0]!, D1: f.deviceIds[1]!, D2: await extra('d2', f.modelId, '0.9.0'), D3: await extra('d3', f.modelId, '1.1.0'), L0: await extra('l0', lamp.id, '1.0.0') };
  const place: Record<string, [string, string]> = { D0: ['10.60.0.1', iot.id], D1: ['10.60.0.2', iot.id], D3: ['10.60.0.3', iot.id], L0: ['10.60.0.4', iot.id], D2: ['10.61.0.1', cams.id] };
  for (const [k, [ip, segmentId]] of Object.entries(place)) {
    const d = await db.device.update({ where: { id: ids[k as keyof typeof ids] }, data: { ip, segmentId } });
    serial[k] = d.serial;
  }
  await db.device.update({ where: { id: ids.D0 }, data: { firmwareKey: firmwareKey('0.9.0') } });
  await db.device.update({ where: { id: ids.D1 }, data: { firmwareKey: firmwareKey('0.9.0') } });
  await upsertAdvisory(api.deps, SYSTEM_ACTOR, { externalId: 'CVE-2026-4242', severity: 'CRITICAL', affected: [{ modelId: f.modelId, introduced: '0.1.0', fixed: '1.0.0', lastAffected: null }] });
  const now = new Date().toISOString();
  await upsertDeviceContacts(api.sql, [{ deviceId: ids.D0, peerIp: '10.61.0.1', port: 23, protocol: 'tcp', outbound: true, firstSeenAt: now, lastSeenAt: now, bytes: 700, packets: 7, count: 7 }]);
  incidentId = randomUUID();
  await db.incident.create({
    data: { id: incidentId, correlationKey: `segment:${iot.id}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'scan on iot', severity: 'HIGH', segmentId: iot.id, deviceIds: [ids.D0], firstAlertAt: new Date(), lastAlertAt: new Date() },
  });
});
afterAll(() => fx.close());

const BLAST = /* GraphQL */ `
  query($i: ID, $d: [ID!], $h: Int, $first: Int, $after: String) {
    blastRadius(incidentId: $i, deviceIds: $d, maxHops: $h, first: $first, after: $after) {
      incident { title }
      compromised { serial }
      maxHops total exploitedAdvisories
      tiers { tier devices }
      bySegment { segment { name } total tier1 tier2 tier3 tier4 }
      devices {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { tier score device { serial } reasons { kind hops via viaDevice { serial } contactedBy contacted count segment { name } advisories fixAvailable } }
      }
    }
  }`;

describe('blastRadius', () => {
  it('answers tiers, counts per segment and the ranked devices with reasons in one query (VIEWER)', async () => {
    const r = await api.gql<{ blastRadius: any }>(BLAST, { i: incidentId }, viewer);
    expect(r.errors).toBeUndefined();
    const b = r.data!.blastRadius;
    expect(b).toMatchObject({ incident: { title: 'scan on iot' }, compromised: [{ serial: serial.D0 }], maxHops: 2, total: 4, exploitedAdvisories: ['CVE-2026-4242'] });
    expect(b.tiers).toEqual([{ tier: 1, devices: 1 }, { tier: 2, devices: 1 }, { tier: 3, devices: 2 }, { tier: 4, devices: 0 }]);
    expect(b.bySegment).toEqual([
      { segment: { name: 'cams' }, total: 1, tier1: 1, tier2: 0, tier3: 0, tier4: 0 },
      { segment: { name: 'iot' }, total: 3, tier1: 0, tier2: 1, tier3: 2, tier4: 0 },
    ]);
    const nodes = b.devices.nodes as any[];
    expect(nodes.map((n) => [n.device.serial, n.tier])).toEqual([[serial.D2, 1], [serial.D1, 2], [serial.L0, 3], [serial.D3, 3]]);
    expect(nodes[0].reasons).toEqual([
      { kind: 'CONTACTED', hops: 1, via: expect.any(String), viaDevice: { serial: serial.D0 }, contactedBy: true, contacted: false, count: 7, segment: null, advisories: null, fixAvailable: null },
      { kind: 'VULNERABLE_FIRMWARE', hops: null, via: null, viaDevice: null, contactedBy: null, contacted: null, count: null, segment: null, advisories: ['CVE-2026-4242'], fixAvailable: true },
    ]);
    expect(nodes[1].reasons.map((x: { kind: string }) => x.kind)).toEqual(['SAME_SEGMENT', 'VULNERABLE_FIRMWARE']);
    expect(nodes[1].reasons[0].segment).toEqual({ name: 'iot' });
    expect(nodes[2].reasons.map((x: { kind: string }) => x.kind)).toEqual(['SAME_SEGMENT', 'UNPATCHABLE']);
  });

  it('pages with first/after, and is a field of the incident too', async () => {
    const one = await api.gql<{ blastRadius: any }>(BLAST, { i: incidentId, first: 1 }, viewer);
    expect(one.data!.blastRadius.devices).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true }, nodes: [{ device: { serial: serial.D2 } }] });
    const next = await api.gql<{ blastRadius: any }>(BLAST, { i: incidentId, first: 3, after: one.data!.blastRadius.devices.pageInfo.endCursor }, viewer);
    expect(next.data!.blastRadius.devices.nodes.map((n: any) => n.device.serial)).toEqual([serial.D1, serial.L0, serial.D3]);
    const viaIncident = await api.gql<{ incident: any }>('query($i: ID!) { incident(id: $i) { blastRadius(maxHops: 1, first: 2) { total tiers { devices } devices { nodes { device { serial } } } } } }', { i: incidentId }, viewer);
    expect(viaIncident.data!.incident.blastRadius).toMatchObject({ total: 4, devices: { nodes: [{ device: { serial: serial.D2 } }, { device: { serial: serial.D1 } }] } });
  });

  it('measures from any devices', async () => {
    const d2 = await api.db.device.findFirstOrThrow({ where: { serial: serial.D2 } });
    const r = await api.gql<{ blastRadius: any }>(BLAST, { d: [d2.id], h: 1 }, viewer);
    expect(r.data!.blastRadius.incident).toBeNull();
    expect(r.data!.blastRadius.devices.nodes[0]).toMatchObject({ tier: 1, device: { serial: serial.D0 }, reasons: [{ kind: 'CONTACTED', contactedBy: false, contacted: true }, { kind: 'VULNERABLE_FIRMWARE' }] });
  });

  it('refuses bad input, unknown incidents and callers without credentials with clear codes', async () => {
    const err = async (vars: Record<string, unknown>, token: string | undefined = viewer) => {
      const r = await api.gql(BLAST, vars, token);
      expect(r.status).not.toBe(500);
      return [codeOf(r), r.errors?.[0]?.message];
    };
    expect(await err({ i: incidentId, h: 5 })).toEqual(['BAD_USER_INPUT', 'maxHops: from 1 to 4']);
    expect(await err({ i: incidentId, h: 0 })).toEqual(['BAD_USER_INPUT', 'maxHops: from 1 to 4']);
    expect((await err({}))[0]).toBe('BAD_USER_INPUT');
    expect(await err({ i: incidentId, d: [randomUUID()] })).toEqual(['BAD_USER_INPUT', 'give either incidentId or deviceIds (not both)']);
    expect((await err({ i: 'not-an-id' }))[0]).toBe('BAD_USER_INPUT');
    expect((await err({ i: incidentId, after: 'nope' }))[0]).toBe('BAD_USER_INPUT');
    expect((await err({ i: incidentId, first: -1 }))[0]).toBe('BAD_USER_INPUT');
    expect((await err({ i: incidentId, first: 100_000 }))[0]).toBe('QUERY_TOO_EXPENSIVE');
    expect((await err({ i: randomUUID() }))[0]).toBe('NOT_FOUND');
    expect((await err({ d: [randomUUID()] }))[0]).toBe('NOT_FOUND');
    expect((await err({ i: incidentId }, ''))[0]).toBe('UNAUTHENTICATED');
  });
});

describe('readiness', () => {
  it('answers exposure per advisory and where, unpatchable devices, worm reach and the worst case', async () => {
    const r = await api.gql<{ readiness: any }>(
      `{ readiness {
          simultaneous { devices unpatchable startSegment { name } segments { name } }
          advisories { externalId severity exposed unpatchable patchableNow advisory { externalId } bySegment { segment { name } devices } bySite { site { code } devices } byFirmware { model { vendor } version devices } }
          unpatchable { total bySegment { segment { name } devices } }
          segments { segment { name } devices vulnerable wormReach { devices segments { name } } worstAdvisory { externalId devices } }
      } }`,
      {},
      viewer,
    );
    expect(r.errors).toBeUndefined();
    const x = r.data!.readiness;
    expect(x.simultaneous).toEqual({ devices: 3, unpatchable: 0, startSegment: { name: 'iot' }, segments: [{ name: 'iot' }, { name: 'cams' }] });
    expect(x.advisories).toEqual([
      {
        externalId: 'CVE-2026-4242', severity: 'CRITICAL', exposed: 3, unpatchable: 0, patchableNow: 3, advisory: { externalId: 'CVE-2026-4242' },
        bySegment: [{ segment: { name: 'iot' }, devices: 2 }, { segment: { name: 'cams' }, devices: 1 }],
        bySite: [{ site: { code: 'hq' }, devices: 3 }],
        byFirmware: [{ model: { vendor: 'Fx' }, version: '0.9.0', devices: 3 }],
      },
    ]);
    expect(x.unpatchable).toEqual({ total: 1, bySegment: [{ segment: { name: 'iot' }, devices: 1 }] });
    expect(x.segments).toEqual([
      { segment: { name: 'iot' }, devices: 4, vulnerable: 2, wormReach: { devices: 3, segments: [{ name: 'iot' }, { name: 'cams' }] }, worstAdvisory: { externalId: 'CVE-2026-4242', devices: 3 } },
      { segment: { name: 'cams' }, devices: 1, vulnerable: 1, wormReach: { devices: 1, segments: [{ name: 'cams' }] }, worstAdvisory: { externalId: 'CVE-2026-4242', devices: 1 } },
    ]);
    expect(codeOf(await api.gql('{ readiness { simultaneous { devices } } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await api.gql('query($s: ID) { readiness(siteId: $s) { simultaneous { devices } } }', { s: randomUUID() }, viewer))).toBe('NOT_FOUND');
  });
});

describe('startEmergencyPatch', () => {
  const PATCH = /* GraphQL */ `
    mutation($input: StartEmergencyPatchInput!) {
      startEmergencyPatch(input: $input) {
        targetCount targets { serial } skipped { device { serial } reason } advisories replayed
        rollouts { status emergency approvedBy release { version } progress { waves { size } } }
        incident { timeline { type summary } }
      }
    }`;

  it('is refused below RESPONDER and for bad input, with clear codes', async () => {
    for (const token of [viewer, operator]) expect(codeOf(await api.gql(PATCH, { input: { incidentId } }, token))).toBe('FORBIDDEN');
    expect(codeOf(await api.gql(PATCH, { input: { incidentId, maxTier: 9 } }, responder))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(PATCH, { input: { incidentId: randomUUID() } }, responder))).toBe('NOT_FOUND');
    expect(await api.db.rollout.count({ where: { emergency: true } })).toBe(0);
  });

  it('patches the exposed devices with the fixed release, most exposed first, and writes the timeline', async () => {
    const r = await api.gql<{ startEmergencyPatch: any }>(PATCH, { input: { incidentId, waves: [{ size: 1 }, { percent: 100 }], idempotencyKey: 'k1' } }, responder);
    expect(r.errors).toBeUndefined();
    const p = r.data!.startEmergencyPatch;
    expect(p.targets.map((d: { serial: string }) => d.serial)).toEqual([serial.D0, serial.D2, serial.D1]);
    expect(p).toMatchObject({ targetCount: 3, advisories: ['CVE-2026-4242'], replayed: false });
    expect(p.skipped).toEqual(expect.arrayContaining([{ device: { serial: serial.D3 }, reason: 'NOT_AFFECTED' }, { device: { serial: serial.L0 }, reason: 'NOT_OTA_CAPABLE' }]));
    expect(p.rollouts).toEqual([{ status: 'RUNNING', emergency: true, approvedBy: expect.stringMatching(/^responder-/), release: { version: '1.0.0' }, progress: { waves: [{ size: 1 }, { size: 2 }] } }]);
    expect(p.incident.timeline.at(-1)).toEqual({ type: 'ROLLOUT', summary: 'emergency patch: 3 devices in 1 rollout (1.0.0)' });
    const again = await api.gql<{ startEmergencyPatch: any }>(PATCH, { input: { incidentId, idempotencyKey: 'k1' } }, responder);
    expect(again.data!.startEmergencyPatch).toMatchObject({ replayed: true, targetCount: 3 });
    expect(codeOf(await api.gql(PATCH, { input: { incidentId } }, responder))).toBe('CONFLICT');
    expect(await api.db.auditLog.count({ where: { action: 'incident.emergencyPatch', targetId: incidentId } })).toBe(1);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { createDeviceModel, createSegment, createSite, importDevices, SYSTEM_ACTOR } from '@warden/core';
import { codeOf, startApi } from './harness.js';

const api = await startApi();
let viewer: string;
let operator: string;
const seg: Record<string, string> = {};

beforeAll(async () => {
  viewer = await api.signIn('VIEWER');
  operator = await api.signIn('OPERATOR');
  const hq = await createSite(api.deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  const lab = await createSite(api.deps, SYSTEM_ACTOR, { code: 'lab', name: 'Lab' });
  seg.iot = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId: hq.id, name: 'iot', cidr: '10.20.0.0/16', zone: 'IOT' })).id;
  seg.sec = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId: hq.id, name: 'sec', cidr: '10.30.0.0/16', zone: 'CRITICAL' })).id;
  seg.lab = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId: lab.id, name: 'bench', cidr: '10.40.0.0/16', zone: 'CORPORATE' })).id;
  await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
  await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'Vigil', name: 'C300', kind: 'CAMERA', otaCapable: false });
  // 300 lights on iot across firmware 1.9.x/1.10.0/2.0.0, 40 cameras on sec, 10 lights in the lab.
  const rows = [
    ...Array.from({ length: 300 }, (_, i) => ({
      serial: `L-${String(i).padStart(3, '0')}`,
      model: 'Lumen/A19',
      segment: 'hq/iot',
      firmwareVersion: ['1.9.2', '1.10.0', '2.0.0'][i % 3],
      tags: i % 2 ? ['floor-1'] : ['floor-2', 'east'],
      location: i === 7 ? 'Boardroom Atlantic' : `Room ${i}`,
    })),
    ...Array.from({ length: 40 }, (_, i) => ({ serial: `C-${i}`, model: 'Vigil/C300', segment: 'hq/sec', firmwareVersion: '0.9.8', criticality: 'HIGH' })),
    ...Array.from({ length: 10 }, (_, i) => ({ serial: `LAB-${i}`, model: 'Lumen/A19', segment: 'lab/bench', firmwareVersion: '1.9.2' })),
  ];
  const r = await importDevices(api.deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify(rows) });
  expect(r.failed).toBe(0);
  await api.db.device.updateMany({ where: { serial: { startsWith: 'C-' } }, data: { lastSeenAt: new Date('2026-01-01T00:00:00Z') } });
});

const DEVICES = `query($f: DeviceFilter, $first: Int!, $after: String, $o: DeviceOrder) {
  devices(filter: $f, first: $first, after: $after, orderBy: $o) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { serial firmwareVersion tags model { name otaCapable } segment { name site { code } } }
  }
}`;
type Page = { devices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { serial: string; firmwareVersion: string; tags: string[]; segment: { name: string; site: { code: string } } }[] } };

describe('devices query', () => {
  it('filters by segment and firmware below a version, comparing versions numerically', async () => {
    const r = await api.gql<Page>(DEVICES, { f: { segmentIds: [seg.iot], firmwareBelow: '1.10.0' }, first: 500 }, viewer);
    expect(r.data!.devices.totalCount).toBe(100);
    expect(new Set(r.data!.devices.nodes.map((d) => d.firmwareVersion))).toEqual(new Set(['1.9.2']));
    const ranged = await api.gql<Page>(DEVICES, { f: { firmwareAtLeast: '1.10.0', firmwareBelow: '2.0.0' }, first: 5 }, viewer);
    expect(ranged.data!.devices.totalCount).toBe(100);
  });

  it('pages through a filter with cursors: every device once, in order, then no next page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: { data: Page | null } = await api.gql<Page>(DEVICES, { f: { segmentIds: [seg.iot] }, first: 64, after, o: { field: 'SERIAL', direction: 'ASC' } }, viewer);
      seen.push(...r.data!.devices.nodes.map((d) => d.serial));
      if (!r.data!.devices.pageInfo.hasNextPage) break;
      after = r.data!.devices.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(300);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(300);
  });

  it('combines site, tags, status, last-seen, criticality, OTA capability and free text', async () => {
    const count = async (f: Record<string, unknown>) => (await api.gql<Page>(DEVICES, { f, first: 1 }, viewer)).data!.devices.totalCount;
    expect(await count({ siteIds: [(await api.db.site.findUniqueOrThrow({ where: { code: 'lab' } })).id] })).toBe(10);
    expect(await count({ tags: ['floor-2', 'east'] })).toBe(150);
    expect(await count({ anyTags: ['floor-1', 'nope'] })).toBe(150);
    expect(await count({ kinds: ['CAMERA'], criticalities: ['HIGH'] })).toBe(40);
    expect(await count({ lastSeenBefore: '2026-06-01T00:00:00Z' })).toBe(40);
    expect(await count({ neverSeen: true })).toBe(310);
    expect(await count({ otaCapable: false })).toBe(40);
    expect(await count({ statuses: ['PROVISIONING'] })).toBe(350);
    expect(await count({ search: 'atlantic' })).toBe(1);
    expect(await count({ search: 'lab-' })).toBe(10);
  });

  it('answers each field alike however the query selects it: alone, through edges, in fragments or with every field', async () => {
    await api.db.device.update({ where: { serial: 'C-3' }, data: { owner: 'security', attributes: { rack: 4 }, retiredAt: new Date('2026-02-03T04:05:06.789Z') } });
    const scalars = ['id', 'serial', 'controllerId', 'name', 'kind', 'firmwareVersion', 'ip', 'mac', 'tags', 'location', 'criticality', 'owner', 'status', 'failSafe', 'lastSeenAt', 'attributes', 'createdAt', 'updatedAt', 'retiredAt'];
    const vars = { f: { segmentIds: [seg.sec] }, first: 40, o: { field: 'LAST_SEEN', direction: 'DESC' } };
    const page = (selection: string, fragments = '') =>
      api.gql<{ devices: { pageInfo: { endCursor: string }; nodes?: Record<string, unknown>[]; edges?: { cursor: string; node: Record<string, unknown> }[] } }>(
        `query($f: DeviceFilter, $first: Int!, $o: DeviceOrder) { devices(filter: $f, first: $first, orderBy: $o) { pageInfo { endCursor } ${selection} } } ${fragments}`,
        vars,
        viewer,
      );
    const everything = `${scalars.join(' ')} model { id vendor name kind } segment { id name zone } site { code }`;
    const full = (await page(`nodes { ${everything} } edges { cursor }`)).data!.devices;
    expect(full.nodes).toHaveLength(40);
    const stored = await api.db.device.findMany({ where: { id: { in: full.nodes!.map((d) => d.id as string) } } });
    const c3 = full.nodes!.find((d) => d.serial === 'C-3')!;
    expect(c3).toMatchObject({ owner: 'security', attributes: { rack: 4 }, retiredAt: '2026-02-03T04:05:06.789Z', model: { vendor: 'Vigil' }, site: { code: 'hq' } });
    for (const d of full.nodes!) {
      const row = stored.find((s) => s.id === d.id)!;
      expect(d.createdAt).toBe(row.createdAt.toISOString());
      expect(d.lastSeenAt).toBe(row.lastSeenAt?.toISOString() ?? null);
    }

    for (const field of scalars) {
      const alone = (await page(`nodes { ${field} }`)).data!.devices;
      expect(alone.nodes).toEqual(full.nodes!.map((d) => ({ [field]: d[field] })));
      expect(alone.pageInfo.endCursor).toBe(full.pageInfo.endCursor);
    }
    const viaEdges = (await page('edges { cursor node { ...Some model { name } } } nodes { __typename }', 'fragment Some on Device { serial ... on Device { owner retiredAt } }'))
      .data!.devices;
    expect(viaEdges.edges!.map((e) => e.cursor)).toEqual(full.edges!.map((e) => e.cursor));
    expect(viaEdges.edges!.map((e) => e.node)).toEqual(
      full.nodes!.map((d) => ({ serial: d.serial, owner: d.owner, retiredAt: d.retiredAt, model: { name: (d.model as { name: string }).name } })),
    );
    await api.db.device.update({ where: { serial: 'C-3' }, data: { owner: null, attributes: {}, retiredAt: null } });
  });

  it('loads related models, segments and sites in batches, not per device', async () => {
    let queries = 0;
    const counting = api.db.$extends({ query: { $allOperations: ({ args, query }) => (queries++, query(args)) } });
    const { buildApi } = await import('../src/app.js');
    const { createLogger } = await import('@warden/runtime');
    const app2 = await buildApi({ config: api.config, db: counting as never, sql: api.sql, redis: api.redis, log: createLogger('t', 'silent') });
    const port = await app2.listen(0, '127.0.0.1');
    const token = operator;
    queries = 0;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: DEVICES.replace('totalCount', ''), variables: { first: 200 } }),
    });
    const body = (await res.json()) as { data: Page };
    await app2.stop();
    expect(body.data.devices.nodes).toHaveLength(200);
    // auth (1-2) + page (1) + models (1) + segments (1) + sites (1)
    expect(queries).toBeLessThanOrEqual(6);
  });
});

describe('fleet summary', () => {
  it('counts the fleet by kind, status, model, segment and firmware', async () => {
    const r = await api.gql<{ fleetSummary: any }>(
      `{ fleetSummary { total byKind { kind count } byStatus { status count } byModel { model { name } count }
         bySegment { segment { name } count } byFirmware { model { name } version count } } }`,
      {},
      viewer,
    );
    const s = r.data!.fleetSummary;
    expect(s.total).toBe(350);
    expect(s.byKind).toEqual([{ kind: 'LIGHT', count: 310 }, { kind: 'CAMERA', count: 40 }]);
    expect(s.bySegment).toEqual([{ segment: { name: 'iot' }, count: 300 }, { segment: { name: 'sec' }, count: 40 }, { segment: { name: 'bench' }, count: 10 }]);
    expect(s.byFirmware).toContainEqual({ model: { name: 'A19' }, version: '1.9.2', count: 110 });
    const filtered = await api.gql<{ fleetSummary: { total: number } }>('query($s: [ID!]) { fleetSummary(filter: {segmentIds: $s}) { total } }', { s: [seg.sec] }, viewer);
    expect(filtered.data!.fleetSummary.total).toBe(40);
  });
});

describe('device lifecycle', () => {
  it('registers with a one-time token, rotates it, and retiring revokes it', async () => {
    const reg = await api.gql<{ registerDevice: { device: { id: string; status: string }; credential: { token: string; prefix: string } } }>(
      'mutation { registerDevice(input: {serial: "NEW-1", model: "Lumen/A19", segment: "hq/iot", tags: ["b", "a"], issueCredential: true}) { device { id status tags } credential { token prefix } } }',
      {},
      operator,
    );
    const { device, credential } = reg.data!.registerDevice;
    expect(credential.token).toMatch(/^wdt_/);
    expect(credential.token.startsWith(credential.prefix)).toBe(true);
    const stored = await api.db.deviceCredential.findFirstOrThrow({ where: { deviceId: device.id } });
    expect(stored.tokenHash).not.toContain(credential.token);

    const dup = await api.gql('mutation { registerDevice(input: {serial: "NEW-1", model: "Lumen/A19"}) { device { id } } }', {}, operator);
    expect(codeOf(dup)).toBe('CONFLICT');

    const admin = await api.signIn('ADMIN');
    const rotated = await api.gql<{ rotateDeviceCredentials: { credentials: { token: string }[] } }>(
      'mutation($id: ID!) { rotateDeviceCredentials(deviceIds: [$id], reason: "leaked") { credentials { token } } }',
      { id: device.id },
      admin,
    );
    expect(rotated.data!.rotateDeviceCredentials.credentials[0]!.token).not.toBe(credential.token);
    const active = await api.db.deviceCredential.count({ where: { deviceId: device.id, revokedAt: null } });
    expect(active).toBe(1);

    const retired = await api.gql<{ retireDevice: { status: string; credentials: { active: boolean }[] } }>(
      'mutation($id: ID!) { retireDevice(id: $id, reason: "broken") { status credentials { active } } }',
      { id: device.id },
      operator,
    );
    expect(retired.data!.retireDevice.status).toBe('RETIRED');
    expect(retired.data!.retireDevice.credentials.every((c) => !c.active)).toBe(true);
    const update = await api.gql('mutation($id: ID!) { updateDevice(id: $id, input: {name: "x"}) { id } }', { id: device.id }, operator);
    expect(codeOf(update)).toBe('CONFLICT');
  });

  it('tags, moves and updates devices, with before/after in the audit log', async () => {
    const d = await api.db.device.findUniqueOrThrow({ where: { serial: 'L-001' } });
    await api.gql('mutation($id: ID!) { tagDevices(ids: [$id], add: ["vip"], remove: ["floor-1"]) { tags } }', { id: d.id }, operator);
    await api.gql('mutation($id: ID!, $s: ID!) { moveDevices(ids: [$id], segmentId: $s) { id } }', { id: d.id, s: seg.lab }, operator);
    const u = await api.gql<{ updateDevice: { firmwareVersion: string; segment: { name: string }; tags: string[] } }>(
      'mutation($id: ID!) { updateDevice(id: $id, input: {firmwareVersion: "3.0.0", owner: "it"}) { firmwareVersion tags segment { name } } }',
      { id: d.id },
      operator,
    );
    expect(u.data!.updateDevice).toEqual({ firmwareVersion: '3.0.0', tags: ['vip'], segment: { name: 'bench' } });
    const audit = await api.db.auditLog.findMany({ where: { targetId: d.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['device.tag', 'device.move', 'device.update']);
    expect(audit[2]!.summary).toEqual({ before: { firmwareVersion: '1.10.0', owner: null }, after: { firmwareVersion: '3.0.0', owner: 'it' } });
  });
});

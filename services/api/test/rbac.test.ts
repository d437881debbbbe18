import { beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../src/graphql/schema.js';
import { createDeviceModel, createSegment, createSite, registerDevice, SYSTEM_ACTOR, ROLES, type Role } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { codeOf, startApi } from './harness.js';
import { playbookFixtures } from './playbook-fixtures.js';
import { rolloutFixtures } from './rollout-fixtures.js';

const api = await startApi();
const rollouts = rolloutFixtures(api);
const playbooks = playbookFixtures(api);
const tokens = {} as Record<Role, string>;
let siteId: string;
let segmentId: string;
let otherSegmentId: string;
let n = 0;

async function newDevice(): Promise<string> {
  const { device } = await registerDevice(api.deps, SYSTEM_ACTOR, { serial: `RB-${++n}`, model: 'Lumen/A19', segment: 'hq/iot' });
  return device.id;
}

/** An OPEN incident to act on (detection opens them in production). */
async function newIncident(deviceIds: string[] = []): Promise<string> {
  const id = crypto.randomUUID();
  const at = new Date();
  await api.db.incident.create({
    data: { id, correlationKey: `device:${id}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'scan', severity: 'HIGH', deviceIds, firstAlertAt: at, lastAlertAt: at },
  });
  return id;
}

/** An incident whose device runs firmware with an advisory a release fixes: something to patch. */
async function patchableIncident(): Promise<string> {
  const f = await rollouts.fleet();
  await upsertAdvisory(api.deps, SYSTEM_ACTOR, { externalId: `CVE-2026-8${++n}`, severity: 'HIGH', affected: [{ modelId: f.modelId, introduced: '0.1.0', fixed: '1.0.0', lastAffected: null }] });
  return newIncident([f.deviceIds[0]!]);
}

/**
 * Every mutation, the least role it needs, and how to call it. The last test checks this list
 * covers the whole schema, so a new mutation cannot ship without its role and audit checks.
 */
const MUTATIONS: { name: string; role: Role; action: string; call: () => Promise<[string, Record<string, unknown>]> }[] = [
  { name: 'createSite', role: 'OPERATOR', action: 'site.create', call: async () => ['mutation { createSite(input: {code: "s' + ++n + '", name: "S"}) { id } }', {}] },
  { name: 'updateSite', role: 'OPERATOR', action: 'site.update', call: async () => ['mutation($id: ID!) { updateSite(id: $id, input: {name: "Renamed"}) { id } }', { id: siteId }] },
  {
    name: 'deleteSite', role: 'ADMIN', action: 'site.delete',
    call: async () => ['mutation($id: ID!) { deleteSite(id: $id) { id } }', { id: (await createSite(api.deps, SYSTEM_ACTOR, { code: `del${++n}`, name: 'D' })).id }],
  },
  { name: 'createSegment', role: 'OPERATOR', action: 'segment.create', call: async () => ['mutation($s: ID!) { createSegment(input: {siteId: $s, name: "seg' + ++n + '", cidr: "10.1.0.0/24", zone: IOT}) { id } }', { s: siteId }] },
  { name: 'updateSegment', role: 'OPERATOR', action: 'segment.update', call: async () => ['mutation($id: ID!) { updateSegment(id: $id, input: {vlan: 12}) { id } }', { id: segmentId }] },
  {
    name: 'deleteSegment', role: 'ADMIN', action: 'segment.delete',
    call: async () => ['mutation($id: ID!) { deleteSegment(id: $id) { id } }', { id: (await createSegment(api.deps, SYSTEM_ACTOR, { siteId, name: `d${++n}`, cidr: '10.2.0.0/24', zone: 'GUEST' })).id }],
  },
  { name: 'createDeviceModel', role: 'OPERATOR', action: 'deviceModel.create', call: async () => ['mutation { createDeviceModel(input: {vendor: "V", name: "M' + ++n + '", kind: SENSOR}) { id } }', {}] },
  {
    name: 'updateDeviceModel', role: 'OPERATOR', action: 'deviceModel.update',
    call: async () => ['mutation($id: ID!) { updateDeviceModel(id: $id, input: {otaCapable: false}) { id } }', { id: (await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'U', name: `m${++n}`, kind: 'TV' })).id }],
  },
  { name: 'registerDevice', role: 'OPERATOR', action: 'device.register', call: async () => ['mutation { registerDevice(input: {serial: "REG-' + ++n + '", model: "Lumen/A19"}) { device { id } } }', {}] },
  { name: 'importDevices', role: 'OPERATOR', action: 'devices.import', call: async () => ['mutation($d: String!) { importDevices(input: {format: CSV, data: $d}) { created } }', { d: `serial,model\nIMP-${++n},Lumen/A19` }] },
  { name: 'updateDevice', role: 'OPERATOR', action: 'device.update', call: async () => ['mutation($id: ID!) { updateDevice(id: $id, input: {owner: "it"}) { id } }', { id: await newDevice() }] },
  { name: 'tagDevices', role: 'OPERATOR', action: 'device.tag', call: async () => ['mutation($id: ID!) { tagDevices(ids: [$id], add: ["x"]) { id } }', { id: await newDevice() }] },
  { name: 'moveDevices', role: 'OPERATOR', action: 'device.move', call: async () => ['mutation($id: ID!, $s: ID!) { moveDevices(ids: [$id], segmentId: $s) { id } }', { id: await newDevice(), s: otherSegmentId }] },
  { name: 'retireDevice', role: 'OPERATOR', action: 'device.retire', call: async () => ['mutation($id: ID!) { retireDevice(id: $id, reason: "old") { id } }', { id: await newDevice() }] },
  { name: 'issueDeviceCredential', role: 'OPERATOR', action: 'device.credential.issue', call: async () => ['mutation($id: ID!) { issueDeviceCredential(deviceId: $id) { token } }', { id: await newDevice() }] },
  { name: 'rotateDeviceCredentials', role: 'RESPONDER', action: 'containment.rotate', call: async () => ['mutation($id: ID!) { rotateDeviceCredentials(deviceIds: [$id], reason: "leak") { credentials { token } } }', { id: await newDevice() }] },
  { name: 'revokeDeviceCredentials', role: 'RESPONDER', action: 'containment.revoke', call: async () => ['mutation($id: ID!) { revokeDeviceCredentials(deviceIds: [$id], reason: "leak") { requestId } }', { id: await newDevice() }] },
  { name: 'quarantineDevices', role: 'RESPONDER', action: 'containment.quarantine', call: async () => ['mutation($id: ID!) { quarantineDevices(deviceIds: [$id], reason: "scan") { containments { id } } }', { id: await newDevice() }] },
  {
    name: 'isolateSegment', role: 'RESPONDER', action: 'containment.isolate',
    call: async () => ['mutation($id: ID!) { isolateSegment(segmentId: $id, reason: "worm") { containments { id } } }', { id: (await createSegment(api.deps, SYSTEM_ACTOR, { siteId, name: `iso${++n}`, cidr: '10.3.0.0/24', zone: 'IOT' })).id }],
  },
  { name: 'blockDestination', role: 'RESPONDER', action: 'containment.block', call: async () => ['mutation($d: String!) { blockDestination(destination: $d, reason: "C2") { containments { id } } }', { d: `198.18.${Math.floor(++n / 250)}.${n % 250}` }] },
  {
    name: 'releaseContainment', role: 'RESPONDER', action: 'containment.release',
    call: async () => {
      const destination = `198.19.0.${++n % 250}/32`;
      const c = await api.db.containment.create({
        data: { kind: 'BLOCK_DESTINATION', status: 'APPLIED', requestId: crypto.randomUUID(), targetKey: `destination:${destination}`, destination, actor: 'system:test', actorName: 'test', reason: 'C2', touched: { kind: 'BLOCK_DESTINATION', destination }, deliveredVersion: 1 },
      });
      return ['mutation($id: ID!) { releaseContainment(id: $id, reason: "done") { status } }', { id: c.id }];
    },
  },
  { name: 'createUser', role: 'ADMIN', action: 'user.create', call: async () => ['mutation { createUser(input: {email: "u' + ++n + '@x.test", name: "U", password: "long enough password", role: VIEWER}) { id } }', {}] },
  {
    name: 'updateUser', role: 'ADMIN', action: 'user.update',
    call: async () => {
      const u = await api.db.user.create({ data: { email: `up${++n}@x.test`, name: 'U', passwordHash: 'x', role: 'VIEWER' } });
      return ['mutation($id: ID!) { updateUser(id: $id, input: {role: OPERATOR}) { id } }', { id: u.id }];
    },
  },
  { name: 'createApiKey', role: 'ADMIN', action: 'apiKey.create', call: async () => ['mutation { createApiKey(input: {name: "k", role: VIEWER}) { secret } }', {}] },
  {
    name: 'revokeApiKey', role: 'ADMIN', action: 'apiKey.revoke',
    call: async () => {
      const k = await api.db.apiKey.create({ data: { name: `k${++n}`, prefix: 'wdk_x', keyHash: `h${n}`, role: 'VIEWER' } });
      return ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: k.id }];
    },
  },
  { name: 'updateIncidentStatus', role: 'RESPONDER', action: 'incident.status', call: async () => ['mutation($id: ID!) { updateIncidentStatus(id: $id, status: TRIAGED) { status } }', { id: await newIncident() }] },
  { name: 'assignIncident', role: 'RESPONDER', action: 'incident.assign', call: async () => ['mutation($id: ID!) { assignIncident(id: $id, assigneeId: null) { id } }', { id: await newIncident() }] },
  { name: 'addIncidentNote', role: 'RESPONDER', action: 'incident.note', call: async () => ['mutation($id: ID!) { addIncidentNote(id: $id, text: "looked at it") { at } }', { id: await newIncident() }] },
  { name: 'addThreatIntel', role: 'ADMIN', action: 'threatIntel.add', call: async () => ['mutation($v: String!) { addThreatIntel(entries: [{value: $v}]) { id } }', { v: `198.51.100.${++n % 250}` }] },
  {
    name: 'removeThreatIntel', role: 'ADMIN', action: 'threatIntel.remove',
    call: async () => ['mutation($id: ID!) { removeThreatIntel(ids: [$id]) }', { id: (await api.db.threatIntelEntry.create({ data: { value: `203.0.113.${++n % 250}/32` } })).id }],
  },
  {
    name: 'startEmergencyPatch', role: 'RESPONDER', action: 'incident.emergencyPatch',
    call: async () => ['mutation($i: ID!) { startEmergencyPatch(input: {incidentId: $i}) { targetCount } }', { i: await patchableIncident() }],
  },
  { name: 'updateDetectionConfig', role: 'ADMIN', action: 'detection.config.update', call: async () => ['mutation { updateDetectionConfig(config: {fanOut: {distinctPeers: 12}}) { config } }', {}] },
  ...rollouts.mutations,
  ...playbooks.mutations,
];

/** Mutations every signed-in caller may use on themselves. */
const SELF_SERVICE = new Set(['login', 'logout', 'changePassword', '_noop']);

beforeAll(async () => {
  for (const role of ROLES) tokens[role] = await api.signIn(role);
  siteId = (await createSite(api.deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' })).id;
  segmentId = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId, name: 'iot', cidr: '10.20.0.0/16', zone: 'IOT' })).id;
  otherSegmentId = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId, name: 'iot-2', cidr: '10.21.0.0/16', zone: 'IOT' })).id;
  await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
});

const auditCount = (action: string) => api.db.auditLog.count({ where: { action } });

describe.each(MUTATIONS)('$name (needs $role)', ({ role, action, call }) => {
  it('is refused without credentials and for every lower role, writing nothing', async () => {
    const before = await auditCount(action);
    const [query, vars] = await call();
    expect(codeOf(await api.gql(query, vars))).toBe('UNAUTHENTICATED');
    for (const lower of ROLES.slice(0, ROLES.indexOf(role))) {
      const r = await api.gql(query, vars, tokens[lower]);
      expect(codeOf(r), `${lower} should be refused`).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toContain(`needs the ${role} role`);
    }
    expect(await auditCount(action)).toBe(before);
  });

  it('works for that role and every higher one, each call audited with actor and IP', async () => {
    for (const allowed of ROLES.slice(ROLES.indexOf(role))) {
      const before = await auditCount(action);
      const [query, vars] = await call();
      const r = await api.gql(query, vars, tokens[allowed]);
      expect(r.errors, `${allowed}: ${JSON.stringify(r.errors)}`).toBeUndefined();
      const rows = await api.db.auditLog.findMany({ where: { action }, orderBy: { id: 'desc' }, take: 1 });
      expect(await auditCount(action)).toBeGreaterThan(before);
      expect(rows[0]).toMatchObject({ actorType: 'USER', actorName: expect.stringContaining(allowed.toLowerCase()), ip: expect.stringMatching(/127\.0\.0\.1/) });
    }
  });
});

describe('the role matrix', () => {
  it('covers every mutation in the schema', () => {
    const fields = Object.keys(buildSchema().getMutationType()!.getFields()).filter((f) => !SELF_SERVICE.has(f));
    expect(fields.sort()).toEqual(MUTATIONS.map((m) => m.name).sort());
  });

  it('keeps the audit log append-only, even for the database owner', async () => {
    await expect(api.db.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(api.db.auditLog.updateMany({ data: { action: 'x' } })).rejects.toThrow(/append-only/);
  });

  it('lets only admins read the audit log', async () => {
    expect(codeOf(await api.gql('{ auditLog(first: 5) { nodes { action } } }', {}, tokens.RESPONDER))).toBe('FORBIDDEN');
    const r = await api.gql<{ auditLog: { nodes: { action: string; actorName: string }[] } }>(
      '{ auditLog(first: 5, filter: {actionPrefix: "device."}) { nodes { action actorName } pageInfo { hasNextPage endCursor } } }',
      {},
      tokens.ADMIN,
    );
    expect(r.data!.auditLog.nodes.length).toBe(5);
    expect(r.data!.auditLog.nodes.every((e) => e.action.startsWith('device.'))).toBe(true);
  });
});

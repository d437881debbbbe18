import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDeviceModel, createSegment, createSite, registerDevice, SYSTEM_ACTOR } from '@warden/core';
import { codeOf, startApi } from './harness.js';

const api = await startApi();
let responder: string;
let viewer: string;
let operator: string;
let segmentId: string;
const devices: Record<string, string> = {};
let ws: Client;
const changes: { change: string; actor: string; containments: { id: string; status: string }[] }[] = [];

beforeAll(async () => {
  [responder, viewer, operator] = await Promise.all([api.signIn('RESPONDER'), api.signIn('VIEWER'), api.signIn('OPERATOR')]);
  const site = await createSite(api.deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  segmentId = (await createSegment(api.deps, SYSTEM_ACTOR, { siteId: site.id, name: 'iot', cidr: '10.20.0.0/16', zone: 'IOT' })).id;
  await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
  await createDeviceModel(api.deps, SYSTEM_ACTOR, { vendor: 'Vigil', name: 'C200', kind: 'CAMERA' });
  for (const [serial, model, failSafe] of [
    ['BULB-1', 'Lumen/A19', false],
    ['BULB-2', 'Lumen/A19', false],
    ['BULB-3', 'Lumen/A19', false],
    ['CAM-1', 'Vigil/C200', true],
  ] as const) {
    devices[serial] = (await registerDevice(api.deps, SYSTEM_ACTOR, { serial, model, segment: 'hq/iot', status: 'ACTIVE', failSafe, issueCredential: true })).device.id;
  }
  ws = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${viewer}` }, lazy: false });
  await new Promise<void>((resolve, reject) => {
    ws.subscribe(
      { query: 'subscription { containmentChanged { change actor containments { id status device { serial } } } }' },
      { next: (r) => changes.push((r.data as { containmentChanged: (typeof changes)[number] }).containmentChanged), error: reject, complete: () => {} },
    );
    setTimeout(resolve, 300);
  });
});
afterAll(async () => ws?.dispose());

const QUARANTINE = `mutation($ids: [ID!]!, $override: Boolean, $expiresIn: Int) {
  quarantineDevices(deviceIds: $ids, reason: "scanning port 23", overrideFailSafe: $override, expiresIn: $expiresIn) {
    requestId replayed incidentStatus
    containments { id kind status target device { serial status failSafe } expiresAt overrideFailSafe delivered actor reason }
    skipped { reason message device { serial } }
  }
}`;

type Payload = {
  requestId: string;
  containments: { id: string; kind: string; status: string; target: string; device: { serial: string; status: string; failSafe: boolean }; expiresAt: string | null; delivered: boolean }[];
  skipped: { reason: string; message: string; device: { serial: string } | null }[];
};

describe('containment over GraphQL', () => {
  it('quarantines devices and reports the fail-safe camera it left connected', async () => {
    const r = await api.gql<{ quarantineDevices: Payload }>(QUARANTINE, { ids: [devices['BULB-1'], devices['CAM-1']], expiresIn: 3600 }, responder);
    expect(r.errors).toBeUndefined();
    const p = r.data!.quarantineDevices;
    expect(p.containments).toEqual([
      expect.objectContaining({ kind: 'QUARANTINE_DEVICES', status: 'PENDING', target: `device:${devices['BULB-1']}`, device: { serial: 'BULB-1', status: 'QUARANTINED', failSafe: false }, delivered: false }),
    ]);
    expect(Date.parse(p.containments[0]!.expiresAt!) - Date.now()).toBeGreaterThan(3500_000);
    expect(p.skipped).toEqual([{ reason: 'FAIL_SAFE', message: expect.stringContaining('overrideFailSafe'), device: { serial: 'CAM-1' } }]);
    const cam = await api.gql<{ device: { status: string; failSafe: boolean } }>('query($id: ID!) { device(id: $id) { status failSafe } }', { id: devices['CAM-1'] }, viewer);
    expect(cam.data!.device).toEqual({ status: 'ACTIVE', failSafe: true });
  });

  it('lists containments as a Relay connection, filtered by status, kind and device', async () => {
    await api.gql(QUARANTINE, { ids: [devices['BULB-2']] }, responder);
    const q = `query($f: ContainmentFilter, $after: String) { containments(filter: $f, first: 1, after: $after) {
      totalCount edges { cursor node { device { serial } status } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { containments: { totalCount: number; edges: { cursor: string; node: { device: { serial: string } | null; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = await api.gql<Page>(q, { f: { statuses: ['PENDING'], kinds: ['QUARANTINE_DEVICES'] } }, viewer);
    expect(first.data!.containments).toMatchObject({ totalCount: 2, edges: [{ node: { device: { serial: 'BULB-2' } } }], pageInfo: { hasNextPage: true } });
    const second = await api.gql<Page>(q, { f: { statuses: ['PENDING'] }, after: first.data!.containments.pageInfo.endCursor }, viewer);
    expect(second.data!.containments).toMatchObject({ edges: [{ node: { device: { serial: 'BULB-1' } } }], pageInfo: { hasNextPage: false } });
    const skipped = await api.gql<Page>(q, { f: { statuses: ['SKIPPED'], deviceId: devices['CAM-1'] } }, viewer);
    expect(skipped.data!.containments.totalCount).toBe(1);
    expect(codeOf(await api.gql(q, { f: { deviceId: 'nope' } }, viewer))).toBe('BAD_USER_INPUT');
  });

  it('releases a containment, restoring the device, and tells subscribers of every change', async () => {
    const list = await api.gql<{ containments: { nodes: { id: string }[] } }>('query($d: ID!) { containments(filter: {deviceId: $d, statuses: [PENDING]}) { nodes { id } } }', { d: devices['BULB-1'] }, viewer);
    const id = list.data!.containments.nodes[0]!.id;
    const r = await api.gql<{ releaseContainment: { status: string; releaseReason: string; version: number; undo: { type: string; detail: { to?: string } }[]; device: { status: string } } }>(
      'mutation($id: ID!) { releaseContainment(id: $id, reason: "false positive") { status releaseReason version undo { type detail } device { status } } }',
      { id },
      responder,
    );
    expect(r.data!.releaseContainment).toMatchObject({ status: 'RELEASED', releaseReason: 'false positive', version: 2, device: { status: 'ACTIVE' } });
    expect(r.data!.releaseContainment.undo[0]).toMatchObject({ type: 'RESTORE_STATUS', detail: { to: 'ACTIVE' } });
    const one = await api.gql<{ containment: { status: string; releasedBy: string } }>('query($id: ID!) { containment(id: $id) { status releasedBy } }', { id }, viewer);
    expect(one.data!.containment.status).toBe('RELEASED');
    expect(one.data!.containment.releasedBy).toMatch(/^user:/);
    await new Promise((res) => setTimeout(res, 300));
    const mine = changes.filter((c) => c.containments.some((x) => x.id === id));
    expect(mine.map((c) => c.change)).toEqual(['REQUESTED', 'RELEASED']);
    expect(mine[1]!.containments[0]).toMatchObject({ status: 'RELEASED', device: { serial: 'BULB-1' } });
  });

  it('isolates a segment, blocks a destination, rotates and revokes credentials', async () => {
    const iso = await api.gql<{ isolateSegment: { containments: { target: string; segment: { name: string }; touched: { exemptDeviceIds: string[] } }[]; skipped: { reason: string; device: { serial: string } }[] } }>(
      'mutation($s: ID!) { isolateSegment(segmentId: $s, reason: "worm") { containments { target segment { name } touched } skipped { reason device { serial } } } }',
      { s: segmentId },
      responder,
    );
    expect(iso.data!.isolateSegment.containments[0]).toMatchObject({ target: `segment:${segmentId}`, segment: { name: 'iot' }, touched: { exemptDeviceIds: [devices['CAM-1']] } });
    expect(iso.data!.isolateSegment.skipped).toEqual([{ reason: 'FAIL_SAFE', device: { serial: 'CAM-1' } }]);
    const block = await api.gql<{ blockDestination: { containments: { destination: string }[] } }>('mutation { blockDestination(destination: "203.0.113.66", reason: "exfiltration") { containments { destination } } }', {}, responder);
    expect(block.data!.blockDestination.containments).toEqual([{ destination: '203.0.113.66/32' }]);
    const rot = await api.gql<{ rotateDeviceCredentials: { credentials: { deviceId: string; token: string }[]; containments: { kind: string }[] } }>(
      'mutation($ids: [ID!]!) { rotateDeviceCredentials(deviceIds: $ids, reason: "compromised") { credentials { deviceId token } containments { kind } } }',
      { ids: [devices['BULB-3'], devices['CAM-1']] },
      responder,
    );
    expect(rot.data!.rotateDeviceCredentials.credentials.map((c) => c.deviceId).sort()).toEqual([devices['BULB-3'], devices['CAM-1']].sort());
    expect(rot.data!.rotateDeviceCredentials.credentials.every((c) => c.token.startsWith('wdt_'))).toBe(true);
    const rev = await api.gql<{ revokeDeviceCredentials: { containments: { touched: { revokedCredentialIds: string[] } }[] } }>(
      'mutation($ids: [ID!]!) { revokeDeviceCredentials(deviceIds: $ids, reason: "compromised", expiresIn: 600) { containments { touched } } }',
      { ids: [devices['BULB-3']] },
      responder,
    );
    expect(rev.data!.revokeDeviceCredentials.containments[0]!.touched.revokedCredentialIds).toHaveLength(1);
    expect(await api.db.deviceCredential.count({ where: { deviceId: devices['BULB-3'], revokedAt: null } })).toBe(0);
  });

  it('answers bad input with clear codes and changes nothing', async () => {
    const before = await api.db.containment.count();
    const q = (query: string, vars: Record<string, unknown> = {}, token = responder) => api.gql(query, vars, token);
    const bad = await q('mutation { blockDestination(destination: "10.0.0.0/33", reason: "x") { requestId } }');
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('destination');
    expect(codeOf(await q('mutation { blockDestination(destination: "0.0.0.0/0", reason: "x") { requestId } }'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await q('mutation($id: ID!) { quarantineDevices(deviceIds: [$id], reason: "x") { requestId } }', { id: crypto.randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await q('mutation($id: ID!) { isolateSegment(segmentId: $id, reason: "x") { requestId } }', { id: crypto.randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await q('mutation($id: ID!) { releaseContainment(id: $id, reason: "x") { id } }', { id: crypto.randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await q('mutation($id: ID!) { quarantineDevices(deviceIds: [$id], reason: "x", expiresIn: 0) { requestId } }', { id: devices['BULB-2'] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await q('mutation($id: ID!) { quarantineDevices(deviceIds: [$id], reason: "x", incidentId: "nope") { requestId } }', { id: devices['BULB-2'] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await q('mutation($id: ID!) { quarantineDevices(deviceIds: [$id], reason: "x") { requestId } }', { id: devices['BULB-2'] }, operator))).toBe('FORBIDDEN');
    const none = await api.gql<{ containment: null }>('query($id: ID!) { containment(id: $id) { id } }', { id: crypto.randomUUID() }, viewer);
    expect(none.data!.containment).toBeNull();
    expect(await api.db.containment.count()).toBe(before);
  });

  it('lets operators mark devices fail-safe when registering or editing them', async () => {
    const reg = await api.gql<{ registerDevice: { device: { id: string; failSafe: boolean } } }>(
      'mutation { registerDevice(input: {serial: "READER-9", model: "Vigil/C200", segment: "hq/iot", failSafe: true}) { device { id failSafe } } }',
      {},
      operator,
    );
    const { id, failSafe } = reg.data!.registerDevice.device;
    expect(failSafe).toBe(true);
    const skipped = await api.gql<{ quarantineDevices: Payload }>(QUARANTINE, { ids: [id] }, responder);
    expect(skipped.data!.quarantineDevices).toMatchObject({ containments: [], skipped: [{ reason: 'FAIL_SAFE', device: { serial: 'READER-9' } }] });
    const upd = await api.gql<{ updateDevice: { failSafe: boolean } }>('mutation($id: ID!) { updateDevice(id: $id, input: {failSafe: false}) { failSafe } }', { id }, operator);
    expect(upd.data!.updateDevice.failSafe).toBe(false);
    const applied = await api.gql<{ quarantineDevices: Payload }>(QUARANTINE, { ids: [id] }, responder);
    expect(applied.data!.quarantineDevices.containments).toHaveLength(1);
    const audit = await api.db.auditLog.findFirstOrThrow({ where: { action: 'device.update', targetId: id } });
    expect(audit.summary).toMatchObject({ before: { failSafe: true }, after: { failSafe: false } });
  });
});


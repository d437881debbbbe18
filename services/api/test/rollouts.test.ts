import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SYSTEM_ACTOR } from '@warden/core';
import { evaluateRollout, startRollout } from '@warden/core/rollouts';
import { verifyArtifactSignature } from '@warden/core/firmware';
import { codeOf, startApi } from './harness.js';
import { rolloutFixtures } from './rollout-fixtures.js';

const api = await startApi({ FIRMWARE_MAX_MB: '0.01' });
const fx = rolloutFixtures(api);
let operator: string;
let viewer: string;
let admin: string;

beforeAll(async () => {
  [operator, viewer, admin] = await Promise.all([api.signIn('OPERATOR'), api.signIn('VIEWER'), api.signIn('ADMIN')]);
});
afterAll(() => fx.close());

const upload = (body: Buffer, token?: string, filename = 'cam-2.0.0.swu', type = 'application/octet-stream') =>
  fetch(`${api.url}/api/v1/artifacts?filename=${filename}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });

describe('firmware over the API', () => {
  it('streams an upload into storage, hashes and signs it, and publishes the key', async () => {
    const bytes = Buffer.from('firmware image '.repeat(300));
    expect((await upload(bytes)).status).toBe(401);
    expect((await upload(bytes, viewer)).status).toBe(403);
    expect((await upload(bytes, operator, 'bad name.swu')).status).toBe(400);
    expect((await upload(bytes, operator, 'a.swu', 'text/plain')).status).toBe(415);
    expect((await upload(Buffer.alloc(20_000), operator)).status).toBe(413);
    const res = await upload(bytes, operator);
    expect(res.status).toBe(201);
    const artifact = (await res.json()) as { id: string; size: number; sha256: string; sha1: string; md5: string; signature: string };
    expect(artifact.size).toBe(bytes.length);
    expect(artifact.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(artifact.sha1).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(artifact.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    expect((await upload(bytes, operator)).status).toBe(200); // same bytes, same name: the same artifact
    const key = (await (await fetch(`${api.url}/api/v1/firmware/signing-key`)).json()) as { publicKeyPem: string; keyId: string };
    expect(verifyArtifactSignature(key.publicKeyPem, artifact.sha256, artifact.signature)).toBe(true);
    expect(verifyArtifactSignature(key.publicKeyPem, createHash('sha256').update('other').digest('hex'), artifact.signature)).toBe(false);
    const audit = await api.db.auditLog.findFirst({ where: { action: 'artifact.upload', targetId: artifact.id } });
    expect(audit?.actorType).toBe('USER');

    const model = await api.db.deviceModel.create({ data: { vendor: 'Lens', name: 'Cam2', kind: 'CAMERA' } });
    const r = await api.gql<{ createRelease: { version: string; moduleId: number; artifacts: { sha256: string }[]; model: { name: string } } }>(
      'mutation($m: ID!, $a: ID!) { createRelease(input: {modelId: $m, version: "2.0.0", artifactIds: [$a], notes: "fixes"}) { version moduleId model { name } artifacts { sha256 } } }',
      { m: model.id, a: artifact.id },
      operator,
    );
    expect(r.data?.createRelease).toMatchObject({ version: '2.0.0', model: { name: 'Cam2' }, artifacts: [{ sha256: artifact.sha256 }] });
    const dup = await api.gql('mutation($m: ID!, $a: ID!) { createRelease(input: {modelId: $m, version: "2.0.0", artifactIds: [$a]}) { id } }', { m: model.id, a: artifact.id }, operator);
    expect(codeOf(dup)).toBe('CONFLICT');
    const bad = await api.gql('mutation($m: ID!, $a: ID!) { createRelease(input: {modelId: $m, version: "two", artifactIds: [$a]}) { id } }', { m: model.id, a: artifact.id }, operator);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });

  it('imports an OSV advisory, links the fixing release and counts exposed devices', async () => {
    const f = await fx.fleet();
    const model = await api.db.deviceModel.findUniqueOrThrow({ where: { id: f.modelId } });
    const doc = {
      id: 'OSV-2026-0042',
      aliases: ['CVE-2026-0042'],
      summary: 'Unauthenticated RTSP',
      database_specific: { severity: 'CRITICAL' },
      affected: [
        { package: { ecosystem: 'Firmware', name: `${model.vendor}/${model.name}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.1.0' }] }] },
        { package: { name: 'not-a-model' } },
      ],
    };
    const r = await api.gql<{ importOsvAdvisory: { unmatchedPackages: string[]; advisory: { id: string; severity: string; exposedDevices: number; affected: { fixed: string; fixedRelease: { version: string } }[] } } }>(
      'mutation($d: JSON!) { importOsvAdvisory(document: $d) { unmatchedPackages advisory { id severity exposedDevices affected { fixed fixedRelease { version } } } } }',
      { d: doc },
      operator,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.importOsvAdvisory).toMatchObject({
      unmatchedPackages: ['not-a-model'],
      advisory: { severity: 'CRITICAL', exposedDevices: 2, affected: [{ fixed: '1.1.0', fixedRelease: { version: '1.1.0' } }] },
    });
    const bad = await api.gql('mutation { importOsvAdvisory(document: {summary: "no id"}) { unmatchedPackages } }', {}, operator);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('rollouts over the API', () => {
  it('creates a rollout with its plan and exclusions, and shows per-wave progress and device history', async () => {
    const f = await fx.fleet();
    const legacy = await api.db.deviceModel.create({ data: { vendor: 'Old', name: 'Bulb', kind: 'LIGHT', otaCapable: false } });
    const bulb = await api.db.device.create({ data: { serial: 'bulb-1', controllerId: 'bulb-1', name: 'bulb', kind: 'LIGHT', modelId: legacy.id, status: 'ACTIVE' } });
    const created = await api.gql<{ createRollout: { id: string; status: string; exclusions: { reason: string; device: { serial: string } }[]; progress: { total: number; waves: { size: number; status: string }[] } } }>(
      `mutation($r: ID!, $d: [ID!]!) { createRollout(input: {name: "cams", releaseId: $r, filter: {deviceIds: $d}, waves: [{size: 1}, {percent: 100}], emergency: true}) {
        id status exclusions { reason device { serial } } progress { total waves { size status } } } }`,
      { r: f.v110, d: [...f.deviceIds, bulb.id] },
      operator,
    );
    expect(created.errors).toBeUndefined();
    const r = created.data!.createRollout;
    expect(r.status).toBe('WAITING_APPROVAL');
    expect(r.exclusions).toEqual([{ reason: 'NOT_OTA_CAPABLE', device: { serial: 'bulb-1' } }]);
    expect(r.progress).toEqual({ total: 2, waves: [{ size: 1, status: 'PLANNED' }, { size: 1, status: 'PLANNED' }] });
    expect(codeOf(await api.gql('mutation($id: ID!) { startRollout(id: $id) { id } }', { id: r.id }, operator))).toBe('CONFLICT');
    const approved = await api.gql<{ approveRollout: { approvedBy: string; status: string } }>('mutation($id: ID!) { approveRollout(id: $id) { approvedBy status } }', { id: r.id }, admin);
    expect(approved.data?.approveRollout).toEqual({ approvedBy: expect.stringMatching(/admin/i), status: 'READY' });

    // Progress pushed over graphql-ws as the rollout moves.
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${viewer}` } });
    const seen: { status: string; waves: { status: string; counts: { status: string; count: number }[] }[] }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ rolloutProgress: (typeof seen)[number] }>(
        { query: 'subscription($id: ID!) { rolloutProgress(id: $id) { status waves { status counts { status count } } } }', variables: { id: r.id } },
        {
          next: (m) => {
            if (m.data) seen.push(m.data.rolloutProgress);
            if (m.data?.rolloutProgress.waves[0]?.status === 'RUNNING') resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await new Promise((res) => setTimeout(res, 300));
    await startRollout(fx.deps, SYSTEM_ACTOR, r.id);
    await evaluateRollout(fx.deps, r.id);
    await done;
    await client.dispose();
    expect(seen[0]!.status).toBe('READY');
    expect(seen.at(-1)).toMatchObject({ status: 'RUNNING', waves: [{ status: 'RUNNING', counts: [{ status: 'SCHEDULED', count: 1 }] }, { status: 'PLANNED' }] });

    const all = await api.db.updateAction.findMany({ where: { rolloutId: r.id, status: 'SCHEDULED' }, select: { deviceId: true } });
    const dispatchedDevice = all[0]!.deviceId;
    const h2 = await api.gql<{ device: { updateHistory: { status: string; release: { version: string }; history: { status: string; source: string }[] }[] } }>(
      `{ device(id: "${dispatchedDevice}") { updateHistory { status release { version } history { status source } } } }`,
      {},
      viewer,
    );
    expect(h2.errors).toBeUndefined();
    expect(h2.data!.device.updateHistory).toEqual([{ status: 'SCHEDULED', release: { version: '1.1.0' }, history: [{ status: 'SCHEDULED', source: 'SERVER' }] }]);
  });

  it('refuses anonymous subscriptions', async () => {
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const outcome = await new Promise<string>((resolve) => {
      client.subscribe({ query: 'subscription { rolloutProgress(id: "00000000-0000-4000-8000-000000000000") { status } }' }, { next: () => resolve('data'), error: () => resolve('error'), complete: () => resolve('complete') });
    });
    await client.dispose();
    expect(outcome).toBe('error');
  });

  it('serves only subscriptions over the socket, under the limits HTTP applies', async () => {
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${viewer}` } });
    const codes = (query: string) =>
      new Promise<unknown[]>((resolve) => {
        client.subscribe({ query }, {
          next: (m) => resolve((m.errors ?? []).map((e) => e.extensions?.code)),
          error: (e) => resolve(Array.isArray(e) ? e.map((x: { extensions?: { code?: string } }) => x.extensions?.code) : ['closed']),
          complete: () => resolve([]),
        });
      });
    try {
      // A query over the socket would skip the HTTP endpoint's cost and rate limits.
      expect(await codes('{ devices(first: 500) { nodes { id } } }')).toEqual(['BAD_REQUEST']);
      expect(await codes('mutation { logout }')).toEqual(['BAD_REQUEST']);
      const deep = `subscription { rolloutProgress(id: "00000000-0000-4000-8000-000000000000") { waves { counts { status } } ${'a: status '.repeat(1)} } }`;
      expect(await codes(deep.replace('a: status', Array.from({ length: 100 }, (_, i) => `a${i}: status`).join(' ')))).toContain('QUERY_TOO_COMPLEX');
    } finally {
      await client.dispose();
    }
  });
});

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SYSTEM_ACTOR, type CoreDeps, type Role } from '@warden/core';
import { LocalDiskStorage, createRelease, signerFromKey, uploadArtifact, type FirmwareDeps } from '@warden/core/firmware';
import { cancelRollout, createRollout, evaluateRollout, pauseRollout, startRollout, type RolloutDeps } from '@warden/core/rollouts';
import { createJobQueue, type Redis } from '@warden/runtime';
import type { Config } from '@warden/config';

interface ApiLike {
  deps: CoreDeps;
  config: Config;
  redis: Redis;
}

/** Releases and rollouts in every state, for API tests (built through core as SYSTEM). */
export function rolloutFixtures(api: ApiLike) {
  const jobs = createJobQueue(api.redis, api.config.redisPrefix);
  const deps: RolloutDeps = { ...api.deps, jobs, evaluateDebounceMs: 10 };
  const firmware: FirmwareDeps = {
    ...api.deps,
    storage: new LocalDiskStorage(mkdtempSync(path.join(tmpdir(), 'warden-api-artifacts-'))),
    signer: signerFromKey(generateKeyPairSync('ed25519').privateKey),
    maxArtifactBytes: 1 << 20,
  };
  let n = 0;

  async function artifact(): Promise<string> {
    const { artifact } = await uploadArtifact(firmware, SYSTEM_ACTOR, { filename: `fw-${++n}.swu`, body: Readable.from([randomBytes(256)]) });
    return artifact.id;
  }

  /** A model with two devices on 0.9.0 and releases 1.0.0 and 1.1.0. */
  async function fleet() {
    const model = await api.deps.db.deviceModel.create({ data: { vendor: 'Fx', name: `M-${randomBytes(4).toString('hex')}`, kind: 'CAMERA' } });
    const devices = await Promise.all(
      [1, 2].map((i) =>
        api.deps.db.device.create({
          data: { serial: `${model.name}-${i}`, controllerId: `${model.name}-${i}`, name: `cam ${i}`, kind: 'CAMERA', modelId: model.id, firmwareVersion: '0.9.0', status: 'ACTIVE' },
        }),
      ),
    );
    const v100 = await createRelease(api.deps, SYSTEM_ACTOR, { modelId: model.id, version: '1.0.0', artifactIds: [await artifact()] });
    const v110 = await createRelease(api.deps, SYSTEM_ACTOR, { modelId: model.id, version: '1.1.0', artifactIds: [await artifact()] });
    return { modelId: model.id, deviceIds: devices.map((d) => d.id), v100: v100.id, v110: v110.id };
  }

  type State = 'WAITING_APPROVAL' | 'READY' | 'RUNNING' | 'PAUSED' | 'FAILED_DEVICE' | 'CANCELED_AFTER_DISPATCH';

  async function rollout(state: State): Promise<string> {
    const f = await fleet();
    const r = await createRollout(deps, SYSTEM_ACTOR, {
      name: `fixture ${++n}`,
      releaseId: f.v110,
      filter: { deviceIds: f.deviceIds },
      waves: [{ percent: 100 }],
      requiresApproval: state === 'WAITING_APPROVAL',
    });
    if (state === 'WAITING_APPROVAL' || state === 'READY') return r.id;
    await startRollout(deps, SYSTEM_ACTOR, r.id);
    if (state === 'RUNNING') return r.id;
    if (state === 'PAUSED') {
      await pauseRollout(deps, SYSTEM_ACTOR, r.id);
      return r.id;
    }
    await evaluateRollout(deps, r.id); // dispatch the wave (no worker in API tests)
    if (state === 'FAILED_DEVICE') {
      await api.deps.db.updateAction.updateMany({ where: { rolloutId: r.id, deviceId: f.deviceIds[0] }, data: { status: 'ERROR' } });
      return r.id;
    }
    await cancelRollout(deps, SYSTEM_ACTOR, r.id);
    return r.id;
  }

  const osv = () => ({
    id: `OSV-2026-${++n}`,
    summary: 'Telnet backdoor',
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { name: 'unknown-thing' } }],
  });

  /** Rows for the API's role matrix (services/api/test/rbac.test.ts). */
  const mutations: { name: string; role: Role; action: string; call: () => Promise<[string, Record<string, unknown>]> }[] = [
    {
      name: 'createRelease', role: 'OPERATOR', action: 'release.create',
      call: async () => {
        // Set up without creating releases: the matrix counts release.create rows.
        const model = await api.deps.db.deviceModel.create({ data: { vendor: 'Fx', name: `R-${randomBytes(4).toString('hex')}`, kind: 'CAMERA' } });
        return ['mutation($m: ID!, $a: ID!) { createRelease(input: {modelId: $m, version: "2.0.0", artifactIds: [$a]}) { id } }', { m: model.id, a: await artifact() }];
      },
    },
    {
      name: 'upsertAdvisory', role: 'OPERATOR', action: 'advisory.create',
      call: async () => {
        const f = await fleet();
        return ['mutation($m: ID!, $x: String!) { upsertAdvisory(input: {externalId: $x, severity: HIGH, affected: [{modelId: $m, fixed: "1.1.0"}]}) { id } }', { m: f.modelId, x: `CVE-2026-${++n}` }];
      },
    },
    {
      name: 'importOsvAdvisory', role: 'OPERATOR', action: 'advisory.create',
      call: async () => {
        const f = await fleet();
        const model = await api.deps.db.deviceModel.findUniqueOrThrow({ where: { id: f.modelId } });
        const doc = { ...osv(), affected: [{ package: { name: `${model.vendor}/${model.name}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.1.0' }] }] }] };
        return ['mutation($d: JSON!) { importOsvAdvisory(document: $d) { advisory { id } } }', { d: doc }];
      },
    },
    {
      name: 'createDdiGatewayToken', role: 'ADMIN', action: 'ddi.gateway-token.create',
      call: async () => ['mutation($m: ID!) { createDdiGatewayToken(name: "edge", modelId: $m) { token } }', { m: (await fleet()).modelId }],
    },
    {
      name: 'createRollout', role: 'OPERATOR', action: 'rollout.create',
      call: async () => {
        const f = await fleet();
        return ['mutation($r: ID!, $d: [ID!]!) { createRollout(input: {name: "r", releaseId: $r, filter: {deviceIds: $d}}) { id } }', { r: f.v110, d: f.deviceIds }];
      },
    },
    { name: 'approveRollout', role: 'ADMIN', action: 'rollout.approve', call: async () => ['mutation($id: ID!) { approveRollout(id: $id) { id } }', { id: await rollout('WAITING_APPROVAL') }] },
    { name: 'startRollout', role: 'OPERATOR', action: 'rollout.start', call: async () => ['mutation($id: ID!) { startRollout(id: $id) { id } }', { id: await rollout('READY') }] },
    { name: 'pauseRollout', role: 'OPERATOR', action: 'rollout.pause', call: async () => ['mutation($id: ID!) { pauseRollout(id: $id) { id } }', { id: await rollout('RUNNING') }] },
    { name: 'resumeRollout', role: 'OPERATOR', action: 'rollout.resume', call: async () => ['mutation($id: ID!) { resumeRollout(id: $id) { id } }', { id: await rollout('PAUSED') }] },
    { name: 'cancelRollout', role: 'OPERATOR', action: 'rollout.cancel', call: async () => ['mutation($id: ID!) { cancelRollout(id: $id) { id } }', { id: await rollout('RUNNING') }] },
    {
      name: 'retryFailedRollout', role: 'OPERATOR', action: 'rollout.retry',
      call: async () => ['mutation($id: ID!) { retryFailedRollout(id: $id) { retried } }', { id: await rollout('FAILED_DEVICE') }],
    },
    {
      name: 'rollbackRollout', role: 'OPERATOR', action: 'rollout.rollback',
      call: async () => ['mutation($id: ID!) { rollbackRollout(id: $id) { id } }', { id: await rollout('CANCELED_AFTER_DISPATCH') }],
    },
  ];

  return { deps, firmware, fleet, rollout, artifact, mutations, close: () => jobs.close() };
}

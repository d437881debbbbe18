import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { SYSTEM_ACTOR, firmwareKey, issueCredentials, type CoreDeps } from '@warden/core';
import { LocalDiskStorage, createRelease, signerFromKey, uploadArtifact, type FirmwareDeps } from '@warden/core/firmware';

export interface FleetDevice {
  id: string;
  controllerId: string;
  token: string;
}

export interface RolloutFleet {
  modelId: string;
  devices: FleetDevice[];
  /** Releases 1.0.0 (what devices run) and 1.1.0 (the update), each with one artifact. */
  releases: { v100: string; v110: string };
  firmware: FirmwareDeps;
}

/**
 * A fleet for rollout tests: one OTA-capable model, `count` devices on 1.0.0 with tokens, a
 * non-OTA device, and releases 1.0.0 and 1.1.0 with real artifacts in a temporary store.
 */
export async function createRolloutFleet(
  deps: CoreDeps,
  count: number,
  opts: { prefix?: string; artifactBytes?: number; /** Artifact store (default: a new temporary one), e.g. the one a gateway under test serves. */ storageDir?: string } = {},
): Promise<RolloutFleet> {
  const prefix = opts.prefix ?? 'dev';
  const { db } = deps;
  const model = await db.deviceModel.create({ data: { vendor: 'Acme', name: `Hub-${randomBytes(3).toString('hex')}`, kind: 'HUB', otaCapable: true } });
  const legacy = await db.deviceModel.create({ data: { vendor: 'Acme', name: `Bulb-${randomBytes(3).toString('hex')}`, kind: 'LIGHT', otaCapable: false } });
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(5, '0');
    return { serial: `${prefix}-${n}`, controllerId: `${prefix}-${n}`, name: `${prefix} ${n}`, kind: 'HUB' as const, modelId: model.id, firmwareVersion: '1.0.0', firmwareKey: firmwareKey('1.0.0'), status: 'ACTIVE' as const, tags: ['office'] };
  });
  await db.device.createMany({ data: rows });
  await db.device.create({ data: { serial: `${prefix}-legacy`, controllerId: `${prefix}-legacy`, name: 'legacy bulb', kind: 'LIGHT', modelId: legacy.id, firmwareVersion: '1.0.0', status: 'ACTIVE', tags: ['office'] } });
  const devices = await db.device.findMany({ where: { modelId: model.id }, select: { id: true, controllerId: true }, orderBy: { controllerId: 'asc' } });
  const issued = await db.$transaction((tx) => issueCredentials(deps, tx, SYSTEM_ACTOR, devices.map((d) => d.id), 'issue'), { timeout: 60_000 });
  const tokenOf = new Map(issued.map((c) => [c.deviceId, c.token]));

  const storageDir = opts.storageDir ?? (await mkdtemp(path.join(tmpdir(), 'warden-artifacts-')));
  const firmware: FirmwareDeps = {
    ...deps,
    storage: new LocalDiskStorage(storageDir),
    signer: signerFromKey(generateKeyPairSync('ed25519').privateKey),
    maxArtifactBytes: 16 * 1024 * 1024,
  };
  const size = opts.artifactBytes ?? 4096;
  const release = async (version: string) => {
    const { artifact } = await uploadArtifact(firmware, SYSTEM_ACTOR, { filename: `hub-${version}.swu`, body: Readable.from([randomBytes(size)]) });
    const r = await createRelease(firmware, SYSTEM_ACTOR, { modelId: model.id, version, artifactIds: [artifact.id], notes: `Release ${version}` });
    return r.id;
  };
  return {
    modelId: model.id,
    devices: devices.map((d) => ({ ...d, token: tokenOf.get(d.id)! })),
    releases: { v100: await release('1.0.0'), v110: await release('1.1.0') },
    firmware,
  };
}

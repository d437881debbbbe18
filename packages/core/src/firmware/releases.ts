import type { Prisma, Release } from '@warden/db';
import { audit, type Tx } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { assertId } from './uuid.js';
import { compareVersions, isValidVersion } from './version.js';
import { firmwareKey } from '../fleet/firmware-version.js';

export interface CreateReleaseInput {
  modelId: string;
  version: string;
  artifactIds: string[];
  notes?: string;
  /** DDI chunk part (default "os") and name (default the model name). */
  part?: string;
  name?: string;
}

export type ReleaseWithArtifacts = Prisma.ReleaseGetPayload<{ include: { artifacts: { include: { artifact: true } } } }>;

/** A release = model + semver version + one or more artifacts + notes. Links advisories it fixes. */
export async function createRelease(deps: CoreDeps, actor: Actor, input: CreateReleaseInput): Promise<ReleaseWithArtifacts> {
  requireRole(actor, 'OPERATOR');
  if (!isValidVersion(input.version)) throw new ValidationError(`version "${input.version}" is not a semantic version (e.g. 1.4.0)`, 'version');
  const artifactIds = [...new Set(input.artifactIds)];
  if (artifactIds.length === 0) throw new ValidationError('a release needs at least one artifact', 'artifactIds');
  if (input.part !== undefined && !/^[\w.-]{1,64}$/.test(input.part)) throw new ValidationError('part: 1-64 letters, digits, ".", "_", "-"', 'part');
  assertId('device model', input.modelId);
  artifactIds.forEach((id) => assertId('artifact', id));
  return deps.db.$transaction(async (tx) => {
    const model = await tx.deviceModel.findUnique({ where: { id: input.modelId } });
    if (!model) throw new NotFoundError('device model', input.modelId);
    const found = await tx.artifact.findMany({ where: { id: { in: artifactIds } }, select: { id: true, filename: true } });
    const missing = artifactIds.filter((id) => !found.some((a) => a.id === id));
    if (missing.length) throw new NotFoundError('artifact', missing.join(', '));
    const names = new Set(found.map((a) => a.filename));
    if (names.size !== found.length) throw new ValidationError('two artifacts of a release share a file name', 'artifactIds');
    const dup = await tx.release.findUnique({ where: { modelId_version: { modelId: input.modelId, version: input.version } } });
    if (dup) throw new ConflictError(`${model.vendor} ${model.name} already has a release ${input.version}`);
    const release = await tx.release.create({
      data: {
        modelId: input.modelId,
        version: input.version,
        versionKey: firmwareKey(input.version) ?? input.version,
        part: input.part ?? 'os',
        name: input.name ?? model.name,
        notes: input.notes ?? '',
        createdBy: actor.name,
        artifacts: { create: artifactIds.map((artifactId, position) => ({ artifactId, position })) },
      },
      include: { artifacts: { include: { artifact: true }, orderBy: { position: 'asc' } } },
    });
    await tx.advisoryAffected.updateMany({
      where: { modelId: input.modelId, fixed: input.version, fixedReleaseId: null },
      data: { fixedReleaseId: release.id },
    });
    await audit(tx, actor, {
      action: 'release.create',
      targetType: 'release',
      targetId: release.id,
      summary: { modelId: input.modelId, version: input.version, artifacts: artifactIds },
    });
    return release;
  });
}

export async function getRelease(deps: CoreDeps, actor: Actor, id: string): Promise<ReleaseWithArtifacts> {
  requireRole(actor, 'VIEWER');
  assertId('release', id);
  const r = await deps.db.release.findUnique({
    where: { id },
    include: { artifacts: { include: { artifact: true }, orderBy: { position: 'asc' } } },
  });
  if (!r) throw new NotFoundError('release', id);
  return r;
}

export async function listReleases(deps: CoreDeps, actor: Actor, opts: { modelId?: string; take: number; skip?: number }): Promise<Release[]> {
  requireRole(actor, 'VIEWER');
  if (opts.modelId) assertId('device model', opts.modelId);
  return deps.db.release.findMany({
    where: opts.modelId ? { modelId: opts.modelId } : {},
    orderBy: [{ modelId: 'asc' }, { versionKey: 'desc' }],
    take: opts.take,
    skip: opts.skip ?? 0,
  });
}

/** The newest release of the same model older than `release` (what a rollback returns to). */
export async function previousRelease(tx: Tx, release: Pick<Release, 'modelId' | 'version'>): Promise<Release | null> {
  const all = await tx.release.findMany({ where: { modelId: release.modelId } });
  return (
    all
      .filter((r) => compareVersions(r.version, release.version) < 0)
      .sort((a, b) => compareVersions(b.version, a.version))[0] ?? null
  );
}

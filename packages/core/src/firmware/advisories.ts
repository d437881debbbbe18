import type { Prisma } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { parseOsv, type AffectedRange, type Severity } from './osv.js';
import { assertId } from './uuid.js';
import { compareVersions, isValidVersion, normalizeVersion } from './version.js';
import { firmwareKey } from '../fleet/firmware-version.js';

export interface AdvisoryInput {
  externalId: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  severity?: Severity;
  publishedAt?: Date | null;
  modifiedAt?: Date | null;
  affected: ({ modelId: string } & AffectedRange)[];
}

export type AdvisoryWithAffected = Prisma.AdvisoryGetPayload<{ include: { affected: true } }>;

/** Whether a firmware version falls in an affected range (pure). */
export function versionAffected(version: string | null | undefined, r: AffectedRange): boolean {
  const v = normalizeVersion(version);
  if (!v) return false;
  if (r.introduced && compareVersions(v, normalizeVersion(r.introduced) ?? r.introduced) < 0) return false;
  if (r.fixed) return compareVersions(v, normalizeVersion(r.fixed) ?? r.fixed) < 0;
  if (r.lastAffected) return compareVersions(v, normalizeVersion(r.lastAffected) ?? r.lastAffected) <= 0;
  return true;
}

const key = (v: string | null) => (v ? firmwareKey(v) : null);

/** Creates or replaces (by CVE/OSV id) an advisory and its affected ranges. */
export async function upsertAdvisory(deps: CoreDeps, actor: Actor, input: AdvisoryInput): Promise<AdvisoryWithAffected> {
  requireRole(actor, 'OPERATOR');
  if (!/^[\w.:-]{3,100}$/.test(input.externalId)) throw new ValidationError('externalId: a CVE or OSV id such as CVE-2026-1234', 'externalId');
  if (input.affected.length === 0) throw new ValidationError('an advisory affects at least one model', 'affected');
  for (const [i, a] of input.affected.entries()) {
    assertId('device model', a.modelId);
    for (const f of ['introduced', 'fixed', 'lastAffected'] as const) {
      const v = a[f];
      if (v && !normalizeVersion(v)) throw new ValidationError(`affected[${i}].${f}: "${v}" is not a version`, `affected.${i}.${f}`);
    }
  }
  return deps.db.$transaction(async (tx) => {
    const modelIds = [...new Set(input.affected.map((a) => a.modelId))];
    const models = await tx.deviceModel.findMany({ where: { id: { in: modelIds } }, select: { id: true } });
    const missing = modelIds.filter((id) => !models.some((m) => m.id === id));
    if (missing.length) throw new NotFoundError('device model', missing.join(', '));
    const data = {
      aliases: input.aliases ?? [],
      summary: input.summary ?? '',
      details: input.details ?? '',
      severity: input.severity ?? 'UNKNOWN',
      publishedAt: input.publishedAt ?? null,
      modifiedAt: input.modifiedAt ?? null,
    };
    const existing = await tx.advisory.findUnique({ where: { externalId: input.externalId } });
    const advisory = existing
      ? await tx.advisory.update({ where: { id: existing.id }, data })
      : await tx.advisory.create({ data: { externalId: input.externalId, ...data } });
    await tx.advisoryAffected.deleteMany({ where: { advisoryId: advisory.id } });
    const releases = await tx.release.findMany({ where: { modelId: { in: modelIds } }, select: { id: true, modelId: true, version: true } });
    await tx.advisoryAffected.createMany({
      data: input.affected.map((a) => ({
        advisoryId: advisory.id,
        modelId: a.modelId,
        introduced: a.introduced,
        introducedKey: key(a.introduced),
        fixed: a.fixed,
        fixedKey: key(a.fixed),
        lastAffected: a.lastAffected,
        lastAffectedKey: key(a.lastAffected),
        fixedReleaseId: a.fixed ? (releases.find((r) => r.modelId === a.modelId && isValidVersion(a.fixed!) && r.version === a.fixed)?.id ?? null) : null,
      })),
    });
    await audit(tx, actor, {
      action: existing ? 'advisory.update' : 'advisory.create',
      targetType: 'advisory',
      targetId: advisory.id,
      summary: { externalId: input.externalId, severity: data.severity, ranges: input.affected.length },
    });
    return tx.advisory.findUniqueOrThrow({ where: { id: advisory.id }, include: { affected: true } });
  });
}

/**
 * Imports an OSV document. Affected package names are matched to device models as "vendor/name"
 * or "name" (case-insensitive); packages that match no model are reported, not fatal, unless none match.
 */
export async function importOsvAdvisory(
  deps: CoreDeps,
  actor: Actor,
  document: unknown,
): Promise<{ advisory: AdvisoryWithAffected; unmatchedPackages: string[] }> {
  requireRole(actor, 'OPERATOR');
  const parsed = parseOsv(document);
  if (!parsed.ok) throw new ValidationError(`not an OSV advisory: ${parsed.error}`, 'document');
  const osv = parsed.value;
  const models = await deps.db.deviceModel.findMany({ select: { id: true, vendor: true, name: true } });
  const byName = new Map<string, string>();
  for (const m of models) {
    byName.set(`${m.vendor}/${m.name}`.toLowerCase(), m.id);
    if (!byName.has(m.name.toLowerCase())) byName.set(m.name.toLowerCase(), m.id);
  }
  const unmatched: string[] = [];
  const affected: AdvisoryInput['affected'] = [];
  for (const a of osv.affected) {
    const modelId = byName.get(a.packageName.toLowerCase());
    if (!modelId) {
      unmatched.push(a.packageName);
      continue;
    }
    const ranges = a.ranges.length ? a.ranges : [{ introduced: null, fixed: null, lastAffected: null }];
    for (const r of ranges) affected.push({ modelId, ...r });
  }
  if (affected.length === 0) {
    throw new ValidationError(`no affected package matches a device model: ${unmatched.join(', ')}`, 'affected');
  }
  const advisory = await upsertAdvisory(deps, actor, { ...osv, affected });
  return { advisory, unmatchedPackages: unmatched };
}

export async function listAdvisories(deps: CoreDeps, actor: Actor, opts: { modelId?: string; take: number; skip?: number }): Promise<AdvisoryWithAffected[]> {
  requireRole(actor, 'VIEWER');
  if (opts.modelId) assertId('device model', opts.modelId);
  return deps.db.advisory.findMany({
    where: opts.modelId ? { affected: { some: { modelId: opts.modelId } } } : {},
    include: { affected: true },
    orderBy: { createdAt: 'desc' },
    take: opts.take,
    skip: opts.skip ?? 0,
  });
}

export async function getAdvisory(deps: CoreDeps, actor: Actor, id: string): Promise<AdvisoryWithAffected & { exposedDevices: number }> {
  requireRole(actor, 'VIEWER');
  assertId('advisory', id);
  const a = await deps.db.advisory.findUnique({ where: { id }, include: { affected: true } });
  if (!a) throw new NotFoundError('advisory', id);
  const devices = await deps.db.device.findMany({
    where: { modelId: { in: a.affected.map((x) => x.modelId) }, status: { not: 'RETIRED' } },
    select: { modelId: true, firmwareVersion: true },
  });
  const exposedDevices = devices.filter((d) => a.affected.some((r) => r.modelId === d.modelId && versionAffected(d.firmwareVersion, r))).length;
  return { ...a, exposedDevices };
}

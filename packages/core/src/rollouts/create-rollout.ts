import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Prisma, Rollout } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now as clock, type CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { parseInput } from '../validation.js';
import { deviceWhere } from '../fleet/query.js';
import { maintenanceWindowSchema } from './maintenance-window.js';
import { orderTargets, planWaves, selectTargets, targetFilterSchema, waveSpecSchema, type CandidateDevice, type TargetFilter } from './plan.js';
import { OPEN_ACTION_STATUSES } from './state-machine.js';

const pct = z.number().int().min(0).max(100);

export const createRolloutSchema = z.object({
  name: z.string().trim().min(1).max(200),
  releaseId: z.uuid(),
  filter: targetFilterSchema.default({}),
  waves: z.array(waveSpecSchema).min(1).max(20).default([{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }]),
  /** Share of a wave that must succeed before the next wave starts. */
  successThresholdPct: pct.default(95),
  /** Share of a wave whose failure stops the rollout. */
  errorThresholdPct: pct.default(10),
  /** Share of all targets whose failure stops the rollout. Default: the wave threshold. */
  overallErrorThresholdPct: pct.optional(),
  errorAction: z.enum(['PAUSE', 'ABORT']).default('ABORT'),
  deviceDeadlineSeconds: z.number().int().min(1).max(30 * 24 * 3600).default(24 * 3600),
  waveDelaySeconds: z.number().int().min(0).max(30 * 24 * 3600).default(3600),
  maintenanceWindow: maintenanceWindowSchema.nullish(),
  /** DDI "forced" (install at once) or "attempt" (the device may defer). */
  forced: z.boolean().default(true),
  /** No waiting between waves; thresholds still apply. */
  emergency: z.boolean().default(false),
  requiresApproval: z.boolean().default(true),
});
export type CreateRolloutInput = z.input<typeof createRolloutSchema>;

export type RolloutWithPlan = Rollout & { waveSizes: number[]; exclusions: { deviceId: string; reason: string }[] };

/**
 * Plans a rollout: resolves the filter to devices, reports those that cannot be updated (not over
 * the air, wrong model, already on the release, busy with another update), cuts the rest into
 * waves and records every device's action as PLANNED, so the plan is fixed and auditable before
 * anything reaches a device.
 */
export async function createRollout(
  deps: CoreDeps,
  actor: Actor,
  raw: CreateRolloutInput,
  opts: {
    rollbackOfId?: string;
    /**
     * Device ids in the order the waves should take them, most urgent first (an emergency patch
     * puts the most exposed devices in the first wave). Default: the least critical devices first,
     * then a stable spread across segments.
     */
    order?: readonly string[];
    /** Writes in this transaction (the caller's, committed with its other writes) instead of one of its own. */
    tx?: Prisma.TransactionClient;
  } = {},
): Promise<RolloutWithPlan> {
  requireRole(actor, 'OPERATOR');
  const input = parseInput(createRolloutSchema, raw);
  const release = await deps.db.release.findUnique({ where: { id: input.releaseId } });
  if (!release) throw new NotFoundError('release', input.releaseId);
  const filter: TargetFilter = input.filter;
  const at = clock(deps);

  const write = async (tx: Prisma.TransactionClient): Promise<RolloutWithPlan> => {
    // Planned under one lock: two rollouts created at once never both take a device (which
    // devices are busy is read after the other's plan committed).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('warden:rollout-planning', 0))`;
    const candidates = await findCandidates(tx, filter, release.modelId);
    const { targets, exclusions } = selectTargets(candidates, filter, release);
    if (targets.length === 0) {
      throw new ValidationError(`no device to update: the filter matches ${candidates.length} devices, ${exclusions.length} of them excluded`, 'filter', {
        exclusions: countBy(exclusions.map((e) => e.reason)),
      });
    }
    const id = randomUUID();
    const ordered = opts.order ? byGivenOrder(targets, opts.order) : orderTargets(targets, id);
    const waves = planWaves(ordered.map((t) => t.id), input.waves);
    const versionOf = new Map(targets.map((t) => [t.id, t.firmwareVersion]));
  const rollout = await tx.rollout.create({
    data: {
      id,
      name: input.name,
      releaseId: release.id,
      status: input.requiresApproval ? 'WAITING_APPROVAL' : 'READY',
      filter: filter as Prisma.InputJsonValue,
      successThresholdPct: input.successThresholdPct,
      errorThresholdPct: input.errorThresholdPct,
      overallErrorThresholdPct: input.overallErrorThresholdPct ?? input.errorThresholdPct,
      errorAction: input.errorAction,
      deviceDeadlineSeconds: input.deviceDeadlineSeconds,
      waveDelaySeconds: input.waveDelaySeconds,
      maintenanceWindow: input.maintenanceWindow ?? undefined,
      forced: input.forced,
      emergency: input.emergency,
      requiresApproval: input.requiresApproval,
      rollbackOfId: opts.rollbackOfId ?? null,
      createdBy: actor.name,
      createdAt: at,
    },
  });
  const waveIds = waves.map(() => randomUUID());
  await tx.rolloutWave.createMany({
    data: waves.map((w, i) => ({ id: waveIds[i]!, rolloutId: id, index: w.index, name: w.name, size: w.deviceIds.length })),
  });
  await tx.updateAction.createMany({
    data: waves.flatMap((w, i) =>
      w.deviceIds.map((deviceId) => ({
        rolloutId: id,
        waveId: waveIds[i]!,
        deviceId,
        releaseId: release.id,
        forced: input.forced,
        fromVersion: versionOf.get(deviceId) ?? null,
        createdAt: at,
      })),
    ),
  });
  if (exclusions.length) await tx.rolloutExclusion.createMany({ data: exclusions.map((e) => ({ rolloutId: id, ...e })) });
  await audit(tx, actor, {
    action: opts.rollbackOfId ? 'rollout.rollback' : 'rollout.create',
    targetType: 'rollout',
    targetId: id,
    summary: {
      name: input.name,
      releaseId: release.id,
      version: release.version,
      targets: targets.length,
      waves: waves.map((w) => w.deviceIds.length),
      excluded: countBy(exclusions.map((e) => e.reason)),
      emergency: input.emergency,
      ...(opts.rollbackOfId ? { rollbackOf: opts.rollbackOfId } : {}),
    },
  });
  return { ...rollout, waveSizes: waves.map((w) => w.deviceIds.length), exclusions };
  };
  return opts.tx ? write(opts.tx) : deps.db.$transaction(write, { timeout: 60_000 });
}

async function findCandidates(db: Prisma.TransactionClient, filter: TargetFilter, releaseModelId: string): Promise<CandidateDevice[]> {
  // An explicitly empty list targets nothing (the registry filter would read it as "any").
  const lists = [filter.modelIds, filter.segmentIds, filter.siteIds, filter.tags, filter.deviceIds];
  if (lists.some((l) => l?.length === 0)) return [];
  const devices = await db.device.findMany({
    where: deviceWhere({
      modelIds: filter.modelIds ?? (filter.deviceIds ? undefined : [releaseModelId]),
      segmentIds: filter.segmentIds,
      siteIds: filter.siteIds,
      anyTags: filter.tags,
      ids: filter.deviceIds,
    }),
    select: { id: true, modelId: true, firmwareVersion: true, status: true, criticality: true, model: { select: { otaCapable: true } } },
    orderBy: { id: 'asc' },
  });
  const busy = new Set(
    (
      await db.updateAction.findMany({
        where: { deviceId: { in: devices.map((d) => d.id) }, status: { in: [...OPEN_ACTION_STATUSES] } },
        select: { deviceId: true },
      })
    ).map((a) => a.deviceId),
  );
  return devices.map((d) => ({
    id: d.id,
    modelId: d.modelId,
    firmwareVersion: d.firmwareVersion,
    status: d.status,
    criticality: d.criticality,
    otaCapable: d.model.otaCapable,
    busy: busy.has(d.id),
  }));
}

/** Targets in the order given; any not named keep their id order after the named ones. */
function byGivenOrder<T extends { id: string }>(targets: T[], order: readonly string[]): T[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  return [...targets].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}


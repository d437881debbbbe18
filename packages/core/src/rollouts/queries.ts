import type { Prisma, Rollout, RolloutWave, UpdateActionStatus } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError } from '../errors.js';
import { assertId } from '../firmware/uuid.js';
import { tally, type StatusCounts } from './evaluate.js';
import { countActions } from './sql.js';

export interface WaveProgress {
  wave: RolloutWave;
  counts: StatusCounts;
  succeeded: number;
  failed: number;
  open: number;
}

export interface RolloutProgress {
  rolloutId: string;
  status: Rollout['status'];
  statusReason: string | null;
  total: number;
  succeeded: number;
  failed: number;
  waves: WaveProgress[];
}

/** Live progress: counts of current actions by state, per wave and in total (one GROUP BY). */
export async function rolloutProgress(deps: CoreDeps, actor: Actor, rolloutId: string): Promise<RolloutProgress> {
  requireRole(actor, 'VIEWER');
  assertId('rollout', rolloutId);
  // One snapshot: a rollout's status and its counts are read as of the same moment, so a finished
  // rollout is never shown with the counts from before its last action closed.
  const { rollout, counts } = await deps.db.$transaction(
    async (tx) => {
      const r = await tx.rollout.findUnique({ where: { id: rolloutId }, include: { waves: { orderBy: { index: 'asc' } } } });
      return { rollout: r, counts: r ? await countActions(tx, rolloutId) : [] };
    },
    { isolationLevel: 'RepeatableRead' },
  );
  if (!rollout) throw new NotFoundError('rollout', rolloutId);
  const waves = rollout.waves.map((wave) => {
    const c: StatusCounts = {};
    for (const x of counts) if (x.waveId === wave.id) c[x.status as UpdateActionStatus] = x.n;
    const t = tally(c);
    return { wave, counts: c, succeeded: t.succeeded, failed: t.failed, open: t.open };
  });
  return {
    rolloutId,
    status: rollout.status,
    statusReason: rollout.statusReason,
    total: waves.reduce((s, w) => s + w.wave.size, 0),
    succeeded: waves.reduce((s, w) => s + w.succeeded, 0),
    failed: waves.reduce((s, w) => s + w.failed, 0),
    waves,
  };
}

export async function getRollout(deps: CoreDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'VIEWER');
  assertId('rollout', rolloutId);
  const r = await deps.db.rollout.findUnique({ where: { id: rolloutId } });
  if (!r) throw new NotFoundError('rollout', rolloutId);
  return r;
}

export async function listRollouts(deps: CoreDeps, actor: Actor, opts: { status?: Rollout['status']; take: number; skip?: number }): Promise<Rollout[]> {
  requireRole(actor, 'VIEWER');
  return deps.db.rollout.findMany({
    where: opts.status ? { status: opts.status } : {},
    orderBy: { createdAt: 'desc' },
    take: opts.take,
    skip: opts.skip ?? 0,
  });
}

export async function rolloutExclusions(deps: CoreDeps, actor: Actor, rolloutId: string) {
  requireRole(actor, 'VIEWER');
  assertId('rollout', rolloutId);
  return deps.db.rolloutExclusion.findMany({ where: { rolloutId }, include: { device: true } });
}

export type ActionWithHistory = Prisma.UpdateActionGetPayload<{ include: { release: true; history: true } }>;

/** A device's update history: every action, newest first, with its status entries. */
export async function deviceUpdateHistory(deps: CoreDeps, actor: Actor, deviceId: string, opts: { take: number }): Promise<ActionWithHistory[]> {
  requireRole(actor, 'VIEWER');
  assertId('device', deviceId);
  return deps.db.updateAction.findMany({
    where: { deviceId, status: { not: 'PLANNED' } },
    include: { release: true, history: { orderBy: { id: 'asc' } } },
    orderBy: { id: 'desc' },
    take: opts.take,
  });
}

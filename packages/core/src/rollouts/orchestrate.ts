import type { Rollout, RolloutStatus, UpdateActionStatus } from '@warden/db';
import { audit, type Tx } from '../audit/audit.js';
import { SYSTEM_ACTOR } from '../auth/roles.js';
import { now as clock } from '../context.js';
import { NotFoundError } from '../errors.js';
import { assertId } from '../firmware/uuid.js';
import type { RolloutDeps } from './deps.js';
import { decide, type Effect, type StatusCounts } from './evaluate.js';
import { cancelOutstandingActions, countActions, dispatchWaveActions, timeOutOverdueActions } from './sql.js';
import { rolloutTransition } from './state-machine.js';
import { lockRows } from '../locks.js';

/**
 * The orchestrator's steps, run by the worker. Each one locks the rollout row, reads the state
 * from Postgres, acts, and commits before any follow-up job is queued: a step that crashes is
 * simply run again, and a step that runs twice finds nothing left to do.
 */

/** Locks a rollout row for the rest of the transaction (serialises the orchestrator and operators). */
export async function lockRollout(tx: Tx, rolloutId: string): Promise<Rollout> {
  assertId('rollout', rolloutId);
  await lockRows(tx, 'rollouts', rolloutId);
  const r = await tx.rollout.findUnique({ where: { id: rolloutId } });
  if (!r) throw new NotFoundError('rollout', rolloutId);
  return r;
}

interface FollowUp {
  startWaves: { waveIndex: number; delayMs: number }[];
  timeouts: { waveId: string; delayMs: number }[];
}

/** Starts a wave now, inside the caller's transaction; idempotent. */
async function startWaveTx(tx: Tx, rollout: Rollout, waveIndex: number, at: Date, follow: FollowUp): Promise<boolean> {
  const deadline = new Date(at.getTime() + rollout.deviceDeadlineSeconds * 1000);
  const moved = await tx.rolloutWave.updateMany({
    where: { rolloutId: rollout.id, index: waveIndex, status: 'PLANNED' },
    data: { status: 'RUNNING', startedAt: at, deadlineAt: deadline },
  });
  if (moved.count === 0) return false;
  const wave = await tx.rolloutWave.findUniqueOrThrow({ where: { rolloutId_index: { rolloutId: rollout.id, index: waveIndex } } });
  const { dispatched, skipped } = await dispatchWaveActions(tx, wave.id, at, deadline);
  await audit(tx, SYSTEM_ACTOR, {
    action: 'rollout.wave.start',
    targetType: 'rollout',
    targetId: rollout.id,
    summary: { wave: waveIndex, dispatched, skipped },
  });
  follow.timeouts.push({ waveId: wave.id, delayMs: rollout.deviceDeadlineSeconds * 1000 });
  return true;
}

async function applyEffects(tx: Tx, rollout: Rollout, effects: Effect[], at: Date, follow: FollowUp): Promise<RolloutStatus> {
  let status = rollout.status;
  for (const e of effects) {
    switch (e.type) {
      case 'wave-succeeded':
        await tx.rolloutWave.updateMany({ where: { rolloutId: rollout.id, index: e.waveIndex, succeededAt: null }, data: { succeededAt: at } });
        break;
      case 'wave-finished':
        await tx.rolloutWave.updateMany({
          where: { rolloutId: rollout.id, index: e.waveIndex, status: 'RUNNING' },
          data: { status: e.status, finishedAt: at },
        });
        break;
      case 'start-wave':
        if (e.delayMs === 0) await startWaveTx(tx, rollout, e.waveIndex, at, follow);
        else follow.startWaves.push({ waveIndex: e.waveIndex, delayMs: e.delayMs });
        break;
      case 'pause':
        status = rolloutTransition(status, 'pause');
        await tx.rollout.update({ where: { id: rollout.id }, data: { status, statusReason: e.reason } });
        await audit(tx, SYSTEM_ACTOR, { action: 'rollout.pause', targetType: 'rollout', targetId: rollout.id, summary: { reason: e.reason, automatic: true } });
        break;
      case 'abort': {
        status = rolloutTransition(status, 'abort');
        await tx.rollout.update({ where: { id: rollout.id }, data: { status, statusReason: e.reason, finishedAt: at } });
        const stopped = await cancelOutstandingActions(tx, rollout.id, at, `rollout aborted: ${e.reason}`);
        await tx.rolloutWave.updateMany({ where: { rolloutId: rollout.id, status: { in: ['PLANNED', 'RUNNING'] } }, data: { status: 'CANCELED', finishedAt: at } });
        await audit(tx, SYSTEM_ACTOR, { action: 'rollout.abort', targetType: 'rollout', targetId: rollout.id, summary: { reason: e.reason, ...stopped } });
        break;
      }
      case 'complete':
        status = rolloutTransition(status, 'complete');
        await tx.rollout.update({ where: { id: rollout.id }, data: { status, statusReason: null, finishedAt: at } });
        await audit(tx, SYSTEM_ACTOR, { action: 'rollout.complete', targetType: 'rollout', targetId: rollout.id });
        break;
    }
  }
  return status;
}

async function queueFollowUps(deps: RolloutDeps, rolloutId: string, follow: FollowUp): Promise<void> {
  for (const s of follow.startWaves) {
    await deps.jobs.enqueue('rollout.start-wave', { rolloutId, waveIndex: s.waveIndex }, { delayMs: s.delayMs, jobId: `start-wave.${rolloutId}.${s.waveIndex}` });
  }
  for (const t of follow.timeouts) {
    await deps.jobs.enqueue('action.timeout', { rolloutId, waveId: t.waveId }, { delayMs: t.delayMs + 50, jobId: `timeout.${t.waveId}.${Date.now()}` });
  }
}

/**
 * Looks at a running rollout and acts: times out overdue actions, then advances, pauses, aborts or
 * completes it according to its thresholds. Returns the effects applied.
 */
export async function evaluateRollout(deps: RolloutDeps, rolloutId: string): Promise<Effect[]> {
  const follow: FollowUp = { startWaves: [], timeouts: [] };
  const effects = await deps.db.$transaction(
    async (tx) => {
      const rollout = await lockRollout(tx, rolloutId);
      if (rollout.status !== 'RUNNING') return [];
      const at = clock(deps);
      await timeOutOverdueActions(tx, at, { rolloutId });
      const waves = await tx.rolloutWave.findMany({ where: { rolloutId }, orderBy: { index: 'asc' } });
      const counts = await countActions(tx, rolloutId);
      const byWave = new Map<string, StatusCounts>();
      for (const c of counts) {
        const m = byWave.get(c.waveId) ?? {};
        m[c.status as UpdateActionStatus] = c.n;
        byWave.set(c.waveId, m);
      }
      const effects = decide(
        {
          successThresholdPct: rollout.successThresholdPct,
          errorThresholdPct: rollout.errorThresholdPct,
          overallErrorThresholdPct: rollout.overallErrorThresholdPct,
          errorAction: rollout.errorAction,
          waveDelaySeconds: rollout.waveDelaySeconds,
          emergency: rollout.emergency,
          totalTargets: counts.reduce((s, c) => s + c.n, 0),
          waves: waves.map((w) => ({ index: w.index, status: w.status, succeededAt: w.succeededAt, counts: byWave.get(w.id) ?? {} })),
        },
        at,
      );
      await applyEffects(tx, rollout, effects, at, follow);
      return effects;
    },
    { timeout: 60_000 },
  );
  await queueFollowUps(deps, rolloutId, follow);
  // A wave that started right now may already be decided (e.g. every device busy): look again.
  if (follow.timeouts.length) await deps.jobs.enqueue('rollout.evaluate', { rolloutId }, { delayMs: deps.evaluateDebounceMs, dedupe: { key: `evaluate.${rolloutId}`, ttlMs: Math.max(1, deps.evaluateDebounceMs) } });
  return effects;
}

/** The delayed start of a wave (after the wave delay). Re-checks everything: the rollout may have been paused. */
export async function startWave(deps: RolloutDeps, rolloutId: string, waveIndex: number): Promise<boolean> {
  const follow: FollowUp = { startWaves: [], timeouts: [] };
  const started = await deps.db.$transaction(async (tx) => {
    const rollout = await lockRollout(tx, rolloutId);
    if (rollout.status !== 'RUNNING') return false;
    const effects = await evaluateEffectsForStart(tx, rollout, clock(deps));
    if (!effects.some((e) => e.type === 'start-wave' && e.waveIndex === waveIndex && e.delayMs <= 1000)) return false;
    return startWaveTx(tx, rollout, waveIndex, clock(deps), follow);
  });
  await queueFollowUps(deps, rolloutId, follow);
  return started;
}

async function evaluateEffectsForStart(tx: Tx, rollout: Rollout, at: Date): Promise<Effect[]> {
  const waves = await tx.rolloutWave.findMany({ where: { rolloutId: rollout.id }, orderBy: { index: 'asc' } });
  const counts = await countActions(tx, rollout.id);
  const byWave = new Map<string, StatusCounts>();
  for (const c of counts) byWave.set(c.waveId, { ...(byWave.get(c.waveId) ?? {}), [c.status]: c.n });
  return decide(
    {
      ...rollout,
      totalTargets: counts.reduce((s, c) => s + c.n, 0),
      waves: waves.map((w) => ({ index: w.index, status: w.status, succeededAt: w.succeededAt, counts: byWave.get(w.id) ?? {} })),
    },
    at,
  ).filter((e) => e.type === 'start-wave');
}

/** A wave's deadline passed: its open actions time out (failures), then the rollout is evaluated. */
export async function timeOutWave(deps: RolloutDeps, rolloutId: string, waveId: string): Promise<number> {
  assertId('wave', waveId);
  const touched = await deps.db.$transaction((tx) => timeOutOverdueActions(tx, clock(deps), { waveId }));
  await evaluateRollout(deps, rolloutId);
  return touched.length;
}

/**
 * The safety net behind lost wake-ups (a crash between a commit and its follow-up job): times out
 * overdue actions everywhere and evaluates every running rollout. Runs every few tens of seconds,
 * never in a tight loop.
 */
export async function sweepRollouts(deps: RolloutDeps): Promise<number> {
  const touched = await deps.db.$transaction((tx) => timeOutOverdueActions(tx, clock(deps), {}));
  const running = await deps.db.rollout.findMany({ where: { OR: [{ status: 'RUNNING' }, { id: { in: touched } }] }, select: { id: true } });
  for (const r of running) await evaluateRollout(deps, r.id);
  return running.length;
}


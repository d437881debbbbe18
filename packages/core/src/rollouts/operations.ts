import type { Rollout } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now as clock } from '../context.js';
import { ConflictError } from '../errors.js';
import { previousRelease } from '../firmware/releases.js';
import { createRollout, type CreateRolloutInput, type RolloutWithPlan } from './create-rollout.js';
import { wakeOrchestrator, type RolloutDeps } from './deps.js';
import { lockRollout } from './orchestrate.js';
import { cancelOutstandingActions } from './sql.js';
import { rolloutTransition, type RolloutOp } from './state-machine.js';

/**
 * What people do to a rollout. Each checks the role, moves the state machine under the row lock,
 * writes the audit row in the same transaction, and wakes the orchestrator after the commit.
 */

async function transition(
  deps: RolloutDeps,
  actor: Actor,
  rolloutId: string,
  op: RolloutOp,
  extra: (r: Rollout, at: Date) => object = () => ({}),
): Promise<Rollout> {
  const updated = await deps.db.$transaction(async (tx) => {
    const r = await lockRollout(tx, rolloutId);
    const status = rolloutTransition(r.status, op);
    const at = clock(deps);
    const row = await tx.rollout.update({ where: { id: r.id }, data: { status, ...extra(r, at) } });
    await audit(tx, actor, { action: `rollout.${op}`, targetType: 'rollout', targetId: r.id, summary: { from: r.status, to: status } });
    return row;
  });
  if (updated.status === 'RUNNING') await wakeOrchestrator(deps, updated.id);
  return updated;
}

/** Records an ADMIN's approval; needed before a rollout that requires it can start. */
export async function approveRollout(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'ADMIN');
  return transition(deps, actor, rolloutId, 'approve', (_r, at) => ({ approvedBy: actor.name, approvedAt: at }));
}

export async function startRollout(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'OPERATOR');
  return transition(deps, actor, rolloutId, 'start', (_r, at) => ({ startedAt: at, statusReason: null }));
}

/** Stops starting new waves; devices already told keep going. */
export async function pauseRollout(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'OPERATOR');
  return transition(deps, actor, rolloutId, 'pause', () => ({ statusReason: `paused by ${actor.name}` }));
}

export async function resumeRollout(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'OPERATOR');
  return transition(deps, actor, rolloutId, 'resume', () => ({ statusReason: null }));
}

/** Cancels the rollout: actions devices have not fetched end now, the others get a DDI cancelAction. */
export async function cancelRollout(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<Rollout> {
  requireRole(actor, 'OPERATOR');
  return deps.db.$transaction(async (tx) => {
    const r = await lockRollout(tx, rolloutId);
    const status = rolloutTransition(r.status, 'cancel');
    const at = clock(deps);
    const stopped = await cancelOutstandingActions(tx, r.id, at, `rollout canceled by ${actor.name}`);
    await tx.rolloutWave.updateMany({ where: { rolloutId: r.id, status: { in: ['PLANNED', 'RUNNING'] } }, data: { status: 'CANCELED', finishedAt: at } });
    const row = await tx.rollout.update({ where: { id: r.id }, data: { status, statusReason: `canceled by ${actor.name}`, finishedAt: at } });
    await audit(tx, actor, { action: 'rollout.cancel', targetType: 'rollout', targetId: r.id, summary: { from: r.status, ...stopped } });
    return row;
  });
}

/**
 * Gives the devices whose update failed (ERROR or TIMED_OUT) a new attempt in their own wave. The
 * failed actions stay in the history but no longer count towards thresholds.
 */
export async function retryFailedDevices(deps: RolloutDeps, actor: Actor, rolloutId: string): Promise<{ rollout: Rollout; retried: number }> {
  requireRole(actor, 'OPERATOR');
  const result = await deps.db.$transaction(async (tx) => {
    const r = await lockRollout(tx, rolloutId);
    const status = rolloutTransition(r.status, 'retry');
    const at = clock(deps);
    const failed = await tx.updateAction.findMany({
      where: { rolloutId: r.id, superseded: false, status: { in: ['ERROR', 'TIMED_OUT'] } },
      select: { id: true, waveId: true, deviceId: true, attempt: true, fromVersion: true },
    });
    if (failed.length === 0) throw new ConflictError('no failed device to retry in this rollout');
    await tx.updateAction.updateMany({ where: { id: { in: failed.map((f) => f.id) } }, data: { superseded: true } });
    // The new attempts are PLANNED in their wave; the wave runs again and dispatches them.
    await tx.updateAction.createMany({
      data: failed.map((f) => ({
        rolloutId: r.id,
        waveId: f.waveId,
        deviceId: f.deviceId,
        releaseId: r.releaseId,
        attempt: f.attempt + 1,
        forced: r.forced,
        fromVersion: f.fromVersion,
        createdAt: at,
      })),
    });
    const waveIds = [...new Set(failed.map((f) => f.waveId))];
    await tx.rolloutWave.updateMany({ where: { id: { in: waveIds } }, data: { status: 'PLANNED', succeededAt: null, finishedAt: null } });
    const row = await tx.rollout.update({ where: { id: r.id }, data: { status, statusReason: null, finishedAt: null } });
    await audit(tx, actor, { action: 'rollout.retry', targetType: 'rollout', targetId: r.id, summary: { devices: failed.length, from: r.status } });
    return { rollout: row, retried: failed.length };
  });
  await wakeOrchestrator(deps, rolloutId);
  return result;
}

/**
 * Rolls back: a new rollout to the release before this one, for the devices this rollout reached.
 * It is planned and approved like any other rollout.
 */
export async function rollbackRollout(
  deps: RolloutDeps,
  actor: Actor,
  rolloutId: string,
  options: Partial<Omit<CreateRolloutInput, 'releaseId' | 'filter'>> = {},
): Promise<RolloutWithPlan> {
  requireRole(actor, 'OPERATOR');
  // The source is locked while its rollback is planned: a resume or another rollback at the same
  // moment waits, and then sees this one (its devices busy with it).
  return deps.db.$transaction(
    async (tx) => {
      const source = await lockRollout(tx, rolloutId);
      rolloutTransition(source.status, 'rollback');
      const release = await tx.release.findUniqueOrThrow({ where: { id: source.releaseId } });
      const target = await previousRelease(tx, release);
      if (!target) throw new ConflictError(`release ${release.version} has no earlier release to roll back to`);
      const touched = await tx.updateAction.findMany({
        where: { rolloutId, dispatchedAt: { not: null } },
        select: { deviceId: true },
        distinct: ['deviceId'],
      });
      if (touched.length === 0) throw new ConflictError('this rollout reached no device; nothing to roll back');
      return createRollout(
        deps,
        actor,
        {
          name: `Roll back ${source.name}`,
          waves: [{ percent: 100 }],
          successThresholdPct: source.successThresholdPct,
          errorThresholdPct: source.errorThresholdPct,
          overallErrorThresholdPct: source.overallErrorThresholdPct,
          errorAction: source.errorAction,
          deviceDeadlineSeconds: source.deviceDeadlineSeconds,
          waveDelaySeconds: 0,
          forced: source.forced,
          ...options,
          releaseId: target.id,
          filter: { deviceIds: touched.map((t) => t.deviceId) },
        },
        { rollbackOfId: source.id, tx },
      );
    },
    { timeout: 60_000 },
  );
}

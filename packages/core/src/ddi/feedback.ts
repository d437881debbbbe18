import { ddi } from '@warden/contracts';
import type { UpdateActionStatus } from '@warden/db';
import type { Tx } from '../audit/audit.js';
import { now as clock } from '../context.js';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { firmwareKey } from '../fleet/firmware-version.js';
import { wakeOrchestrator, type RolloutDeps } from '../rollouts/deps.js';
import { mapCancelFeedback, mapDeploymentFeedback } from '../rollouts/feedback-mapping.js';
import { isActive } from '../rollouts/state-machine.js';
import { ActionClosedError, NotCancelingError } from './errors.js';

interface LockedAction {
  id: number;
  status: UpdateActionStatus;
  status_count: number;
  rollout_id: string;
  release_id: string;
}

async function lockAction(tx: Tx, deviceId: string, actionId: number): Promise<LockedAction> {
  const rows = await tx.$queryRaw<LockedAction[]>`
    SELECT id, status::text AS status, status_count, rollout_id::text AS rollout_id, release_id::text AS release_id
      FROM update_actions WHERE id = ${actionId} AND device_id = ${deviceId}::uuid FOR UPDATE`;
  const a = rows[0];
  if (!a) throw new NotFoundError('action', String(actionId));
  return a;
}

function checkQuota(a: LockedAction, fb: ddi.ActionFeedback): string[] {
  const details = fb.status.details ?? [];
  if (details.length > ddi.MAX_DETAILS_PER_STATUS) {
    throw new RateLimitedError(`at most ${ddi.MAX_DETAILS_PER_STATUS} details per status`, 60);
  }
  if (a.status_count >= ddi.MAX_STATUS_ENTRIES_PER_ACTION) {
    throw new RateLimitedError(`action ${a.id} already has ${ddi.MAX_STATUS_ENTRIES_PER_ACTION} status entries`, 3600);
  }
  return details.map((d) => d.slice(0, 1000));
}

async function record(tx: Tx, a: LockedAction, status: UpdateActionStatus, fb: ddi.ActionFeedback, details: string[], at: Date, closes: boolean): Promise<void> {
  await tx.updateAction.update({
    where: { id: a.id },
    data: {
      status,
      statusCount: { increment: 1 },
      lastFeedbackAt: at,
      ...(details[0] !== undefined ? { lastMessage: details[0] } : {}),
      ...(closes ? { finishedAt: at } : {}),
    },
  });
  await tx.updateActionStatusEntry.create({
    data: {
      actionId: a.id,
      at,
      status,
      source: 'DEVICE',
      execution: fb.status.execution,
      finished: fb.status.result.finished,
      code: fb.status.code ?? null,
      details,
      progressCnt: fb.status.result.progress?.cnt ?? null,
      progressOf: fb.status.result.progress?.of ?? null,
    },
  });
}

/**
 * Device feedback on a deployment (DDI). Updates the action and its history; on success the device
 * now runs the release (its reported version) and is asked for its attributes again. A feedback
 * that closes the action wakes the orchestrator.
 */
export async function postDeploymentFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const at = clock(deps);
  const { status, closes, rolloutId } = await deps.db.$transaction(async (tx) => {
    const a = await lockAction(tx, deviceId, actionId);
    if (!isActive(a.status)) throw new ActionClosedError(actionId);
    const details = checkQuota(a, fb);
    const effect = mapDeploymentFeedback(fb.status.execution, fb.status.result.finished);
    // While canceling, progress does not undo the cancellation; only an end result does.
    const status = a.status === 'CANCELING' && !effect.closes ? 'CANCELING' : effect.status;
    await record(tx, a, status, fb, details, at, effect.closes);
    if (status === 'FINISHED') {
      const release = await tx.release.findUniqueOrThrow({ where: { id: a.release_id }, select: { version: true } });
      await tx.device.update({ where: { id: deviceId }, data: { firmwareVersion: release.version, firmwareKey: firmwareKey(release.version) } });
    }
    if (effect.closes) {
      await tx.ddiControllerState.upsert({ where: { deviceId }, create: { deviceId, configRequested: true }, update: { configRequested: true } });
    }
    return { status, closes: effect.closes, rolloutId: a.rollout_id };
  });
  if (closes) await wakeOrchestrator(deps, rolloutId);
  return status;
}

/** Device feedback on a cancellation (DDI): confirmed → CANCELED; failed or rejected → the update goes on. */
export async function postCancelFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const at = clock(deps);
  const { status, closes, rolloutId } = await deps.db.$transaction(async (tx) => {
    const a = await lockAction(tx, deviceId, actionId);
    if (a.status !== 'CANCELING') throw new NotCancelingError(actionId);
    const details = checkQuota(a, fb);
    const effect = mapCancelFeedback(fb.status.execution, fb.status.result.finished);
    const status = effect?.status ?? a.status;
    await record(tx, a, status, fb, details, at, effect?.closes ?? false);
    return { status, closes: effect?.closes ?? false, rolloutId: a.rollout_id };
  });
  if (closes) await wakeOrchestrator(deps, rolloutId);
  return status;
}

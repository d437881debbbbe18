import { ddi } from '@warden/contracts';
import { recordFeedback, type FeedbackRow } from '@warden/db';
import type { UpdateActionStatus } from '@warden/db';
import { now as clock } from '../context.js';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { firmwareKey } from '../fleet/firmware-version.js';
import { wakeOrchestrator, type RolloutDeps } from '../rollouts/deps.js';
import { mapCancelFeedback, mapDeploymentFeedback } from '../rollouts/feedback-mapping.js';
import { ACTIVE_ACTION_STATUSES, isActive } from '../rollouts/state-machine.js';
import { ActionClosedError, NotCancelingError } from './errors.js';

function details(fb: ddi.ActionFeedback): string[] {
  const d = fb.status.details ?? [];
  if (d.length > ddi.MAX_DETAILS_PER_STATUS) throw new RateLimitedError(`at most ${ddi.MAX_DETAILS_PER_STATUS} details per status`, 60);
  return d.map((x) => x.slice(0, 1000));
}

async function record(
  deps: RolloutDeps,
  deviceId: string,
  actionId: number,
  fb: ddi.ActionFeedback,
  status: UpdateActionStatus,
  closes: boolean,
  requireStatus: 'CANCELING' | null,
): Promise<FeedbackRow> {
  const row = await recordFeedback(deps.sql, {
    actionId,
    deviceId,
    status,
    closes,
    active: ACTIVE_ACTION_STATUSES,
    requireStatus,
    maxEntries: ddi.MAX_STATUS_ENTRIES_PER_ACTION,
    execution: fb.status.execution,
    finished: fb.status.result.finished,
    code: fb.status.code ?? null,
    details: details(fb),
    progressCnt: fb.status.result.progress?.cnt ?? null,
    progressOf: fb.status.result.progress?.of ?? null,
    at: clock(deps),
  });
  if (row.before === null) throw new NotFoundError('action', String(actionId));
  if (row.after === null) {
    if (requireStatus && row.before !== requireStatus) throw new NotCancelingError(actionId);
    if (!isActive(row.before as UpdateActionStatus)) throw new ActionClosedError(actionId);
    throw new RateLimitedError(`action ${actionId} already has ${ddi.MAX_STATUS_ENTRIES_PER_ACTION} status entries`, 3600);
  }
  return row;
}

/** After an action closed: the device's reported version on success, a configData request, a wake-up. */
async function afterClose(deps: RolloutDeps, deviceId: string, row: FeedbackRow): Promise<void> {
  if (row.after === 'FINISHED') {
    const release = await deps.db.release.findUniqueOrThrow({ where: { id: row.release_id! }, select: { version: true } });
    await deps.db.device.update({ where: { id: deviceId }, data: { firmwareVersion: release.version, firmwareKey: firmwareKey(release.version) } });
  }
  await deps.db.ddiControllerState.upsert({ where: { deviceId }, create: { deviceId, configRequested: true }, update: { configRequested: true } });
  await wakeOrchestrator(deps, row.rollout_id!);
}

/**
 * Device feedback on a deployment (DDI). One statement records it (status, counters, history);
 * while canceling, progress does not undo the cancellation, only an end result does. A feedback
 * that closes the action updates the device (reported version on success), asks for its
 * attributes again and wakes the orchestrator.
 */
export async function postDeploymentFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const effect = mapDeploymentFeedback(fb.status.execution, fb.status.result.finished);
  const row = await record(deps, deviceId, actionId, fb, effect.status, effect.closes, null);
  if (effect.closes) await afterClose(deps, deviceId, row);
  return row.after as UpdateActionStatus;
}

/** Device feedback on a cancellation (DDI): confirmed → CANCELED; failed or rejected → the update goes on. */
export async function postCancelFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const effect = mapCancelFeedback(fb.status.execution, fb.status.result.finished);
  const row = await record(deps, deviceId, actionId, fb, effect?.status ?? 'CANCELING', effect?.closes ?? false, 'CANCELING');
  if (effect?.closes) {
    await deps.db.ddiControllerState.upsert({ where: { deviceId }, create: { deviceId, configRequested: true }, update: { configRequested: true } });
    await wakeOrchestrator(deps, row.rollout_id!);
  }
  return row.after as UpdateActionStatus;
}

import { ddi } from '@warden/contracts';
import { recordFeedback, type FeedbackRow } from '@warden/db';
import type { UpdateActionStatus } from '@warden/db';
import { now as clock } from '../context.js';
import { NotFoundError, RateLimitedError } from '../errors.js';
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

/**
 * Device feedback on a deployment (DDI). One statement records it (status, counters, history, and
 * on closing the device's version and a request for its attributes); while canceling, progress
 * does not undo the cancellation, only an end result does. A feedback that closes the action
 * wakes the orchestrator.
 */
export async function postDeploymentFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const effect = mapDeploymentFeedback(fb.status.execution, fb.status.result.finished);
  const row = await record(deps, deviceId, actionId, fb, effect.status, effect.closes, null);
  if (effect.closes) await wakeOrchestrator(deps, row.rollout_id!);
  return row.after as UpdateActionStatus;
}

/** Device feedback on a cancellation (DDI): confirmed → CANCELED; failed or rejected → the update goes on. */
export async function postCancelFeedback(deps: RolloutDeps, deviceId: string, actionId: number, fb: ddi.ActionFeedback): Promise<UpdateActionStatus> {
  const effect = mapCancelFeedback(fb.status.execution, fb.status.result.finished);
  const row = await record(deps, deviceId, actionId, fb, effect?.status ?? 'CANCELING', effect?.closes ?? false, 'CANCELING');
  if (effect?.closes) await wakeOrchestrator(deps, row.rollout_id!);
  return row.after as UpdateActionStatus;
}

import { ConflictError } from '../errors.js';
import { evaluateCondition, type IncidentSnapshot } from './conditions.js';
import type { PlannedStep, PlaybookPlan } from './planner.js';

export type StepStatus = 'PENDING' | 'RUNNING' | 'WAITING' | 'AWAITING_APPROVAL' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED';
export type RunStatus = 'RUNNING' | 'WAITING' | 'AWAITING_APPROVAL' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export interface RunStep {
  plan: PlannedStep;
  status: StepStatus;
  attempts: number;
  /** Epoch ms: when a retry may start. */
  retryAt: number | null;
  /** Epoch ms: end of a wait, or when a wait-until or an approval times out. */
  deadline: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  result: Record<string, unknown> | null;
  error: string | null;
  decidedBy: string | null;
}

export interface RunLogEntry {
  at: number;
  stepId: string | null;
  event: string;
  actor: string;
  detail?: string | undefined;
}

/**
 * A playbook run: the frozen plan and where it is. Plain JSON, stored after every transition, so a
 * worker that crashes resumes from the last stored state: completed steps are never run again,
 * and a step caught mid-flight runs again with the same idempotency key (its executor applies a
 * key once).
 */
export interface PlaybookRun {
  v: 1;
  runId: string;
  playbook: string;
  incidentId: string;
  status: RunStatus;
  cursor: number;
  steps: RunStep[];
  log: RunLogEntry[];
}

export type RunAction =
  | { kind: 'EXECUTE'; index: number; step: PlannedStep; idempotencyKey: string; attempt: number; resumed: boolean }
  | { kind: 'WAIT'; until: number; index: number }
  | { kind: 'AWAIT_APPROVAL'; index: number; deadline: number }
  | { kind: 'DONE'; status: 'SUCCEEDED' | 'FAILED' | 'CANCELED' };

const TERMINAL = new Set<RunStatus>(['SUCCEEDED', 'FAILED', 'CANCELED']);
const ACTOR = 'system:playbooks';

/** Retry backoff: 5 s, 20 s, 80 s, ... capped at 10 min. */
export const retryDelayMs = (attempt: number) => Math.min(5000 * 4 ** (attempt - 1), 600_000);

export function startRun(plan: PlaybookPlan, actor: string, now: number): PlaybookRun {
  return {
    v: 1,
    runId: plan.runId,
    playbook: plan.playbook,
    incidentId: plan.incidentId,
    status: 'RUNNING',
    cursor: 0,
    steps: plan.steps.map((p) => ({ plan: p, status: 'PENDING', attempts: 0, retryAt: null, deadline: null, startedAt: null, finishedAt: null, result: null, error: null, decidedBy: null })),
    log: [{ at: now, stepId: null, event: 'RUN_STARTED', actor }],
  };
}

function clone(run: PlaybookRun): PlaybookRun {
  return { ...run, steps: run.steps.map((s) => ({ ...s })), log: [...run.log] };
}

/** Ends the current step; a failure stops the run when the step says so, or when `abort` (approvals: nobody approved what follows). */
function finishStep(run: PlaybookRun, s: RunStep, status: 'SUCCEEDED' | 'SKIPPED' | 'FAILED', now: number, actor: string, detail?: string, abort = false) {
  s.status = status;
  s.finishedAt = now;
  s.deadline = null;
  s.retryAt = null;
  run.log.push({ at: now, stepId: s.plan.id, event: `STEP_${status}`, actor, detail });
  if (status === 'FAILED' && (abort || s.plan.step.onFailure === 'abort')) {
    run.status = 'FAILED';
    run.log.push({ at: now, stepId: null, event: 'RUN_FAILED', actor, detail: `step ${s.plan.id} failed` });
  } else {
    run.cursor++;
  }
}

/**
 * Moves a run forward as far as it can go by itself at `now` (skipping steps whose condition is
 * false, ending waits, timing out approvals) and says what the worker must do next. Returns a new
 * run; the input is not changed.
 */
export function advanceRun(prior: PlaybookRun, incident: IncidentSnapshot, now: number): { run: PlaybookRun; action: RunAction } {
  const run = clone(prior);
  for (;;) {
    if (TERMINAL.has(run.status)) return { run, action: { kind: 'DONE', status: run.status as 'SUCCEEDED' | 'FAILED' | 'CANCELED' } };
    const s = run.steps[run.cursor];
    if (!s) {
      run.status = 'SUCCEEDED';
      run.log.push({ at: now, stepId: null, event: 'RUN_SUCCEEDED', actor: ACTOR });
      continue;
    }
    const step = s.plan.step;
    run.status = 'RUNNING';
    switch (s.status) {
      case 'PENDING': {
        if (s.attempts === 0) {
          // Conditions are checked again now; what the plan found to act on is final.
          if (s.plan.skip && s.plan.skip.code !== 'STEP_CONDITION') {
            finishStep(run, s, 'SKIPPED', now, ACTOR, s.plan.skip.reason);
            continue;
          }
          if (step.when && !evaluateCondition(step.when, incident, now)) {
            finishStep(run, s, 'SKIPPED', now, ACTOR, 'the step condition is false');
            continue;
          }
        }
        if (step.type === 'wait') {
          s.status = 'WAITING';
          s.startedAt = now;
          s.deadline = now + (step.duration ?? step.timeout ?? 0);
          run.log.push({ at: now, stepId: s.plan.id, event: 'STEP_WAITING', actor: ACTOR });
          continue;
        }
        if (step.type === 'require_approval') {
          s.status = 'AWAITING_APPROVAL';
          s.startedAt = now;
          s.deadline = now + step.timeout;
          run.log.push({ at: now, stepId: s.plan.id, event: 'STEP_AWAITING_APPROVAL', actor: ACTOR, detail: step.message });
          continue;
        }
        if (s.retryAt !== null && s.retryAt > now) {
          run.status = 'WAITING';
          return { run, action: { kind: 'WAIT', until: s.retryAt, index: run.cursor } };
        }
        return { run, action: { kind: 'EXECUTE', index: run.cursor, step: s.plan, idempotencyKey: s.plan.idempotencyKey, attempt: s.attempts + 1, resumed: false } };
      }
      case 'RUNNING':
        // Found mid-flight: the worker died after starting it. Run it again under the same key.
        return { run, action: { kind: 'EXECUTE', index: run.cursor, step: s.plan, idempotencyKey: s.plan.idempotencyKey, attempt: s.attempts + 1, resumed: true } };
      case 'WAITING': {
        if (step.type !== 'wait') throw new Error('only a wait step waits');
        if (step.until && evaluateCondition(step.until, incident, now)) {
          finishStep(run, s, 'SUCCEEDED', now, ACTOR, 'condition met');
          continue;
        }
        if (now >= s.deadline!) {
          if (step.until) finishStep(run, s, 'FAILED', now, ACTOR, 'timed out waiting for the condition');
          else finishStep(run, s, 'SUCCEEDED', now, ACTOR);
          continue;
        }
        run.status = 'WAITING';
        return { run, action: { kind: 'WAIT', until: s.deadline!, index: run.cursor } };
      }
      case 'AWAITING_APPROVAL':
        if (now >= s.deadline!) {
          s.error = 'approval timed out';
          finishStep(run, s, 'FAILED', now, ACTOR, s.error, true);
          continue;
        }
        run.status = 'AWAITING_APPROVAL';
        return { run, action: { kind: 'AWAIT_APPROVAL', index: run.cursor, deadline: s.deadline! } };
      default:
        run.cursor++;
    }
  }
}

export type RunEvent =
  | { type: 'STEP_STARTED'; index: number; at: number }
  | { type: 'STEP_SUCCEEDED'; index: number; at: number; result?: Record<string, unknown> }
  | { type: 'STEP_FAILED'; index: number; at: number; error: string; retryable: boolean }
  | { type: 'APPROVED'; index: number; at: number; by: string }
  | { type: 'REJECTED'; index: number; at: number; by: string; reason?: string }
  | { type: 'CANCELED'; at: number; by: string; reason?: string };

/**
 * Applies what a worker or a person reports. A report about a step that already finished the
 * same way (a redelivered job completion) changes nothing; one that contradicts the run's state
 * (approving a step that is not awaiting approval) is a `ConflictError`.
 */
export function applyRunEvent(prior: PlaybookRun, e: RunEvent): PlaybookRun {
  if (e.type === 'CANCELED') {
    if (TERMINAL.has(prior.status)) return prior;
    const run = clone(prior);
    run.status = 'CANCELED';
    run.log.push({ at: e.at, stepId: null, event: 'RUN_CANCELED', actor: e.by, detail: e.reason });
    return run;
  }
  const current = prior.steps[e.index];
  if (!current) throw new ConflictError(`the run has no step ${e.index}`);
  const done = { STEP_SUCCEEDED: 'SUCCEEDED', APPROVED: 'SUCCEEDED', STEP_FAILED: 'FAILED', REJECTED: 'FAILED', STEP_STARTED: 'RUNNING' } as const;
  if ((e.type === 'APPROVED' || e.type === 'REJECTED') && current.plan.type !== 'require_approval') {
    throw new ConflictError(`step ${current.plan.id} is not an approval`);
  }
  if (e.type !== 'STEP_STARTED' && current.status === done[e.type]) return prior;
  if (e.type === 'STEP_FAILED' && current.status === 'PENDING' && current.retryAt !== null) return prior;
  if (TERMINAL.has(prior.status)) throw new ConflictError(`the run is ${prior.status}`);
  if (e.index !== prior.cursor) throw new ConflictError(`step ${current.plan.id} is not the current step`);
  const run = clone(prior);
  const s = run.steps[e.index]!;
  const expect = (...ok: StepStatus[]) => {
    if (!ok.includes(s.status)) throw new ConflictError(`step ${s.plan.id} is ${s.status}; ${e.type} needs ${ok.join(' or ')}`);
  };
  switch (e.type) {
    case 'STEP_STARTED':
      expect('PENDING', 'RUNNING');
      s.status = 'RUNNING';
      s.attempts++;
      s.startedAt ??= e.at;
      s.retryAt = null;
      run.log.push({ at: e.at, stepId: s.plan.id, event: 'STEP_STARTED', actor: ACTOR, detail: `attempt ${s.attempts}` });
      return run;
    case 'STEP_SUCCEEDED':
      expect('RUNNING');
      s.result = e.result ?? null;
      finishStep(run, s, 'SUCCEEDED', e.at, ACTOR);
      return run;
    case 'STEP_FAILED':
      expect('RUNNING');
      s.error = e.error;
      if (e.retryable && s.attempts < s.plan.step.maxAttempts) {
        s.status = 'PENDING';
        s.retryAt = e.at + retryDelayMs(s.attempts);
        run.log.push({ at: e.at, stepId: s.plan.id, event: 'STEP_RETRY_SCHEDULED', actor: ACTOR, detail: e.error });
        return run;
      }
      finishStep(run, s, 'FAILED', e.at, ACTOR, e.error);
      return run;
    case 'APPROVED':
      expect('AWAITING_APPROVAL');
      s.decidedBy = e.by;
      finishStep(run, s, 'SUCCEEDED', e.at, e.by, 'approved');
      // Until the worker picks it up again, the run is on its way, not waiting.
      run.status = 'RUNNING';
      return run;
    case 'REJECTED':
      expect('AWAITING_APPROVAL');
      s.decidedBy = e.by;
      s.error = e.reason ?? 'rejected';
      finishStep(run, s, 'FAILED', e.at, e.by, `rejected${e.reason ? `: ${e.reason}` : ''}`, true);
      return run;
  }
}

import type { Prisma } from '@warden/db';
import { now } from '../context.js';
import { isWardenError, WardenError } from '../errors.js';
import { dispatchWebhookEvent } from '../webhooks/dispatch.js';
import { runActorRef, type PlaybookDeps } from './deps.js';
import { runActor, type ActingStepType, type StepEffect, type StepExecution, type StepExecutors } from './executors.js';
import { loadIncidentContext, type IncidentContext } from './incident-context.js';
import type { Condition } from './conditions.js';
import { advanceRun, applyRunEvent, type PlaybookRun, type RunAction } from './run-state.js';
import { readRun, writeRun, type StoredRun } from './run-store.js';
import { wakeRun } from './runs.js';

/**
 * The worker's side of a run (`playbook.advance`): under a per-run lock, move the run as far as it
 * can go: skip, wait, ask for approval, execute steps one by one, finish. Every transition is
 * stored (compare-and-set) before the next action, so a crash at any point resumes from the last
 * stored state: completed steps are not run again, and a step caught mid-flight runs again under
 * its idempotency key, whose effect the executor (or the effect table) applies once.
 */

type Outcome = RunAction['kind'] | 'MISSING' | 'BUSY';

/** One advance at a time per run, across workers: a session advisory lock on its own connection. */
async function withRunLock<T>(deps: PlaybookDeps, runId: string, fn: () => Promise<T>): Promise<T> {
  const client = await deps.sql.connect();
  let broken = false;
  try {
    // Waits for another worker's advance to finish (it re-reads the state after), up to a minute.
    await client.query(`SET lock_timeout = '60s'`);
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`playbook-run:${runId}`]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`playbook-run:${runId}`]).catch(() => {
        broken = true;
      });
    }
  } finally {
    await client.query('RESET lock_timeout').catch(() => {
      broken = true;
    });
    client.release(broken);
  }
}

function conditionsOf(run: PlaybookRun): Condition[] {
  return run.steps.slice(run.cursor).flatMap((s) => [s.plan.step.when, s.plan.step.type === 'wait' ? s.plan.step.until : undefined].filter((c): c is Condition => !!c));
}

const readsBlastRadius = (c: Condition): boolean =>
  'all' in c ? c.all.some(readsBlastRadius) : 'any' in c ? c.any.some(readsBlastRadius) : 'not' in c ? readsBlastRadius(c.not) : c.field.startsWith('blast_radius.');

/** A stable view of a run for webhooks and notifications. */
export function runView(stored: StoredRun['row'], state: PlaybookRun) {
  return {
    id: stored.id,
    playbook: stored.playbookName,
    version: stored.playbookVersion,
    incidentId: stored.incidentId,
    trigger: stored.trigger,
    dryRun: stored.dryRun,
    status: state.status,
    startedBy: stored.actor,
    createdAt: stored.createdAt.toISOString(),
    steps: state.steps.map((s) => ({
      id: s.plan.id,
      type: s.plan.type,
      status: s.status,
      attempts: s.attempts,
      summary: (s.result as { summary?: string } | null)?.summary ?? null,
      error: s.error,
      decidedBy: s.decidedBy,
    })),
  };
}

async function finish(deps: PlaybookDeps, stored: StoredRun): Promise<void> {
  const { row, state } = stored;
  await dispatchWebhookEvent(deps, {
    id: `playbook-run.${row.id}.finished`,
    type: 'playbook.run.finished',
    occurredAt: row.finishedAt ?? now(deps),
    data: { run: runView(row, state) },
  });
  await deps.playbooks.publish?.({ type: 'PLAYBOOK_RUN', runId: row.id, incidentId: row.incidentId, status: state.status, actor: runActorRef(row.id) });
}

/** Executes one step once per idempotency key; returns the report for the run state. */
async function execute(deps: PlaybookDeps, executors: StepExecutors, stored: StoredRun, ctx: IncidentContext, action: Extract<RunAction, { kind: 'EXECUTE' }>) {
  const key = action.idempotencyKey;
  const done = await deps.db.playbookStepEffect.findUnique({ where: { key } });
  if (done) return { ok: true as const, result: { ...(done.result as Record<string, unknown>), replayed: true } };
  const type = action.step.type as ActingStepType;
  const fn = executors[type] as ((x: StepExecution) => Promise<StepEffect>) | undefined;
  if (!fn) return { ok: false as const, error: `this worker cannot run ${type} steps`, retryable: false };
  const x: StepExecution = {
    runId: stored.row.id,
    playbook: stored.row.playbookName,
    incident: ctx.incident,
    planned: action.step as StepExecution['planned'],
    idempotencyKey: key,
    attempt: action.attempt,
    run: stored.state,
    actor: runActor(stored.row.id),
    reason: `playbook ${stored.row.playbookName}, step ${action.step.id} (incident: ${ctx.incident.title})`.slice(0, 2000),
  };
  try {
    const effect = await fn(x);
    const result = { summary: effect.summary, ...effect.result };
    await deps.db.playbookStepEffect.createMany({ data: [{ key, runId: stored.row.id, stepId: action.step.id, result: result as Prisma.InputJsonValue }], skipDuplicates: true });
    return { ok: true as const, result };
  } catch (err) {
    const retryable = !isWardenError(err) || (err as WardenError).code === 'RATE_LIMITED';
    return { ok: false as const, error: err instanceof Error ? err.message : String(err), retryable };
  }
}

/** Applies a worker's report, re-reading when a person changed the run meanwhile. */
async function report(deps: PlaybookDeps, runId: string, event: Parameters<typeof applyRunEvent>[1], stepId: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const stored = await readRun(deps.db, runId);
    if (!stored) return;
    let next: PlaybookRun;
    try {
      next = applyRunEvent(stored.state, event);
    } catch (err) {
      if (!(err instanceof WardenError)) throw err;
      // Canceled (or decided) while the step was in flight: what it did is still recorded.
      const line = event.type === 'STEP_SUCCEEDED' ? `finished after the run was ${stored.state.status.toLowerCase()}` : `failed after the run was ${stored.state.status.toLowerCase()}`;
      await deps.db.incidentTimelineEntry.createMany({
        data: [{
          incidentId: stored.row.incidentId,
          at: now(deps),
          type: 'PLAYBOOK',
          actor: runActorRef(runId),
          summary: `${stored.row.playbookName} › ${stepId} ${line}`,
          data: { runId, stepId, event: event.type, ...('result' in event ? { result: event.result } : {}), ...('error' in event ? { error: event.error } : {}) } as Prisma.InputJsonValue,
          dedupKey: `playbook:${runId}:late:${stepId}:${event.type}`,
        }],
        skipDuplicates: true,
      });
      return;
    }
    if (next === stored.state) return;
    if ((await writeRun(deps.db, stored, next, { at: now(deps) })) !== null) return;
  }
  throw new Error(`run ${runId}: could not record ${event.type} (too many concurrent changes)`);
}

export async function advancePlaybookRun(deps: PlaybookDeps, executors: StepExecutors, runId: string): Promise<Outcome> {
  return withRunLock(deps, runId, async () => {
    for (let guard = 0; guard < 500; guard++) {
      const stored = await readRun(deps.db, runId);
      if (!stored) return 'MISSING';
      const { row, state } = stored;
      if (row.dryRun) return 'DONE';
      const ctx = await loadIncidentContext(deps, row.incidentId, { blastRadius: conditionsOf(state).some(readsBlastRadius) });
      const at = now(deps);
      const { run: next, action } = advanceRun(state, ctx.snapshot, at.getTime());
      let wakeAt: Date | null = null;
      if (action.kind === 'WAIT') {
        // A wait-until also looks again every poll interval (incident changes wake it sooner).
        const step = next.steps[action.index]!.plan.step;
        const poll = step.type === 'wait' && step.until ? at.getTime() + deps.playbooks.waitPollMs : Infinity;
        wakeAt = new Date(Math.min(action.until, poll));
      } else if (action.kind === 'AWAIT_APPROVAL') wakeAt = new Date(action.deadline);
      const changed = next.status !== state.status || next.log.length !== state.log.length || next.cursor !== state.cursor;
      const finishing = action.kind === 'DONE' && !row.finishedAt;
      if (changed || finishing || (wakeAt?.getTime() ?? null) !== (row.wakeAt?.getTime() ?? null)) {
        const rev = await writeRun(deps.db, stored, next, { at, wakeAt, ...(finishing ? { finishedAt: at } : {}) });
        if (rev === null) continue;
        if (changed) await deps.playbooks.publish?.({ type: 'PLAYBOOK_RUN', runId, incidentId: row.incidentId, status: next.status, actor: runActorRef(runId) });
      }
      switch (action.kind) {
        case 'DONE': {
          const final = await readRun(deps.db, runId);
          if (final) await finish(deps, final);
          return 'DONE';
        }
        case 'WAIT':
        case 'AWAIT_APPROVAL':
          await wakeRun(deps, runId, `at.${wakeAt!.getTime()}`, wakeAt!);
          return action.kind;
        case 'EXECUTE': {
          const current = (await readRun(deps.db, runId))!;
          const started = applyRunEvent(current.state, { type: 'STEP_STARTED', index: action.index, at: now(deps).getTime() });
          if ((await writeRun(deps.db, current, started, { at: now(deps), wakeAt: null })) === null) continue;
          await deps.playbooks.publish?.({ type: 'PLAYBOOK_RUN', runId, incidentId: row.incidentId, status: started.status, actor: runActorRef(runId) });
          const out = await execute(deps, executors, { row: current.row, state: started }, ctx, action);
          const at2 = now(deps).getTime();
          await report(
            deps,
            runId,
            out.ok
              ? { type: 'STEP_SUCCEEDED', index: action.index, at: at2, result: out.result }
              : { type: 'STEP_FAILED', index: action.index, at: at2, error: out.error, retryable: out.retryable },
            action.step.id,
          );
          continue;
        }
      }
    }
    return 'BUSY';
  });
}

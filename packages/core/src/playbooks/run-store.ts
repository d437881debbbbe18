import type { PlaybookRun as RunRow, Prisma } from '@warden/db';
import type { Tx } from '../audit/audit.js';
import { runActorRef } from './deps.js';
import type { PlaybookPlan } from './planner.js';
import type { PlaybookRun, RunLogEntry } from './run-state.js';

/**
 * Runs in Postgres: the state (core/playbooks/run-state.ts) is written whole after every
 * transition with a compare-and-set on `revision`, together with the incident-timeline lines for
 * the log entries the transition added. A writer that lost the race re-reads and tries again.
 */

export const TERMINAL_RUN_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELED'] as const;
export const isTerminal = (status: string): boolean => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export interface StoredRun {
  row: RunRow;
  state: PlaybookRun;
}

export async function readRun(db: Tx, runId: string): Promise<StoredRun | null> {
  const row = await db.playbookRun.findUnique({ where: { id: runId } });
  return row ? { row, state: row.state as unknown as PlaybookRun } : null;
}

/** Locks the run row for a person's change (approve, reject, cancel) inside `tx`. */
export async function lockRun(tx: Prisma.TransactionClient, runId: string): Promise<StoredRun | null> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM playbook_runs WHERE id = ${runId}::uuid FOR UPDATE`;
  return locked ? readRun(tx, runId) : null;
}

const STEP_EVENT_TEXT: Record<string, string> = {
  STEP_STARTED: 'started',
  STEP_SUCCEEDED: 'succeeded',
  STEP_FAILED: 'failed',
  STEP_SKIPPED: 'skipped',
  STEP_WAITING: 'waiting',
  STEP_AWAITING_APPROVAL: 'awaiting approval',
  STEP_RETRY_SCHEDULED: 'will be retried',
};

/** One line of the incident timeline for a run's log entry. */
export function timelineLine(run: PlaybookRun, e: RunLogEntry): { summary: string; data: Record<string, unknown> } {
  const step = e.stepId ? run.steps.find((s) => s.plan.id === e.stepId) : undefined;
  let summary: string;
  if (step) {
    const result = e.event === 'STEP_SUCCEEDED' ? (step.result as { summary?: string } | null)?.summary : undefined;
    const why = result ?? e.detail;
    summary = `${run.playbook} › ${step.plan.id} (${step.plan.type}) ${STEP_EVENT_TEXT[e.event] ?? e.event.toLowerCase()}${why ? `: ${why}` : ''}`;
  } else {
    const what = e.event.replace(/^RUN_/, '').toLowerCase();
    summary = `playbook ${run.playbook} ${what}${e.detail ? `: ${e.detail}` : ''}`;
  }
  return {
    summary: summary.slice(0, 2000),
    data: {
      runId: run.runId,
      playbook: run.playbook,
      event: e.event,
      ...(step ? { stepId: step.plan.id, stepType: step.plan.type, attempts: step.attempts } : {}),
      ...(e.event === 'STEP_SUCCEEDED' && step?.result ? { result: step.result } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
    },
  };
}

/** Timeline rows for log entries `from..` of `run`; deduplicated per run and log position. */
export function timelineRows(incidentId: string, run: PlaybookRun, from: number): Prisma.IncidentTimelineEntryCreateManyInput[] {
  return run.log.slice(from).map((e, i) => {
    const line = timelineLine(run, e);
    return {
      incidentId,
      at: new Date(e.at),
      type: 'PLAYBOOK',
      actor: e.actor === 'system:playbooks' ? runActorRef(run.runId) : e.actor,
      summary: line.summary,
      data: line.data as Prisma.InputJsonValue,
      dedupKey: `playbook:${run.runId}:${from + i}`,
    };
  });
}

/**
 * Writes `next` over `prior` if the row is still at `revision`; returns the new revision, or null
 * when another writer got there first (re-read and decide again).
 */
export async function writeRun(
  tx: Tx,
  stored: { row: Pick<RunRow, 'id' | 'revision' | 'incidentId'>; state: PlaybookRun },
  next: PlaybookRun,
  extra: { wakeAt?: Date | null; finishedAt?: Date | null; at: Date },
): Promise<number | null> {
  const { count } = await tx.playbookRun.updateMany({
    where: { id: stored.row.id, revision: stored.row.revision },
    data: {
      state: next as unknown as Prisma.InputJsonValue,
      status: next.status,
      revision: { increment: 1 },
      updatedAt: extra.at,
      ...(extra.wakeAt !== undefined ? { wakeAt: extra.wakeAt } : {}),
      ...(extra.finishedAt !== undefined ? { finishedAt: extra.finishedAt } : {}),
    },
  });
  if (!count) return null;
  const rows = timelineRows(stored.row.incidentId, next, stored.state.log.length);
  if (rows.length) await tx.incidentTimelineEntry.createMany({ data: rows, skipDuplicates: true });
  return stored.row.revision + 1;
}

/** A short account of what a plan would do, for the timeline and the audit log. */
export function planSummary(plan: PlaybookPlan): string {
  const parts = plan.steps
    .filter((s) => s.decision === 'RUN')
    .map((s) => {
      const t = s.touches;
      const n = t.devices.length || t.segments.length || t.destinations.length;
      const noun = t.devices.length ? 'device' : t.segments.length ? 'segment' : 'destination';
      return n ? `${s.id} ${n} ${noun}${n === 1 ? '' : 's'}` : s.id;
    });
  const skipped = plan.steps.length - plan.steps.filter((s) => s.decision === 'RUN').length;
  return `${parts.join(', ') || 'nothing to do'}${skipped ? ` (${skipped} step${skipped === 1 ? '' : 's'} skipped)` : ''}`;
}

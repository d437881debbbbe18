import { randomUUID } from 'node:crypto';
import type { PlaybookRun as RunRow, Prisma } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now, type CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { actorRef } from '../incidents/use-cases.js';
import { definitionOf, playbookUuid } from './definitions.js';
import type { PlaybookDeps } from './deps.js';
import { loadIncidentContext, needsBlastRadius } from './incident-context.js';
import { parsePlaybook } from './parse.js';
import { planPlaybook, type PlaybookPlan } from './planner.js';
import { applyRunEvent, startRun, type PlaybookRun } from './run-state.js';
import { isTerminal, lockRun, planSummary, TERMINAL_RUN_STATUSES, timelineRows, writeRun, type StoredRun } from './run-store.js';
import type { Playbook } from './schema.js';
import { autoRunId, triggeredPlaybooks } from './triggers.js';
import { pageSize } from '../paging.js';

/** Warden itself, starting playbooks an incident's trigger matched. */
export const PLAYBOOK_TRIGGER_ACTOR: Actor = { type: 'SYSTEM', id: null, name: 'playbooks', role: 'RESPONDER' };

const OPEN_INCIDENT = ['OPEN', 'TRIAGED', 'CONTAINED', 'ERADICATED', 'RECOVERED'];

/** Wakes the worker for a run (the job id makes repeated wake-ups for the same reason one job). */
export async function wakeRun(deps: Pick<PlaybookDeps, 'jobs'>, runId: string, reason: string, at?: Date): Promise<void> {
  const delayMs = at ? Math.max(0, at.getTime() - Date.now()) : 0;
  await deps.jobs.enqueue('playbook.advance', { runId }, { jobId: `advance.${runId}.${reason}`, ...(delayMs ? { delayMs } : {}) });
}

async function publishRun(deps: PlaybookDeps, run: { id: string; incidentId: string; status: string }, actor: string): Promise<void> {
  await deps.playbooks.publish?.({ type: 'PLAYBOOK_RUN', runId: run.id, incidentId: run.incidentId, status: run.status, actor });
}

/** A dry run recorded as a run: the plan is kept, every step SKIPPED, nothing executed. */
function rehearsal(run: PlaybookRun, at: number, by: string): PlaybookRun {
  return {
    ...run,
    status: 'SUCCEEDED',
    cursor: run.steps.length,
    steps: run.steps.map((s) => ({ ...s, status: 'SKIPPED', finishedAt: at, error: null })),
    log: [...run.log, { at, stepId: null, event: 'RUN_SUCCEEDED', actor: by, detail: 'dry run: nothing was executed' }],
  };
}

interface Start {
  playbook: { id: string; name: string; version: number; definition: Playbook };
  incidentId: string;
  runId: string;
  trigger: 'MANUAL' | 'AUTO';
  dryRun: boolean;
  actor: Actor;
}

/**
 * Plans and stores a run, under a transaction-scoped lock on (playbook, incident) so one playbook
 * has at most one run in progress per incident. Returns null when one is (AUTO) or throws (MANUAL).
 */
async function createRun(deps: PlaybookDeps, s: Start): Promise<RunRow | null> {
  const ctx = await loadIncidentContext(deps, s.incidentId, { blastRadius: needsBlastRadius(s.playbook.definition) });
  if (!OPEN_INCIDENT.includes(ctx.incident.status)) throw new ConflictError(`incident ${s.incidentId} is ${ctx.incident.status}`);
  const at = now(deps);
  const plan = planPlaybook(s.playbook.definition, ctx.snapshot, ctx.selectors, s.runId, at.getTime());
  const by = actorRef(s.actor);
  let state = startRun(plan, by, at.getTime());
  state.log[0]!.detail = `${s.dryRun ? 'dry run, ' : ''}${s.trigger === 'AUTO' ? 'triggered by the incident' : `by ${s.actor.name}`}; plan: ${planSummary(plan)}`;
  if (s.dryRun) state = rehearsal(state, at.getTime(), by);
  const row = await deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`playbook:${s.playbook.name}:incident:${s.incidentId}`}, 0))`;
    if (s.trigger === 'AUTO' && (await tx.playbookRun.findUnique({ where: { id: s.runId }, select: { id: true } }))) return null;
    if (!s.dryRun) {
      const active = await tx.playbookRun.findFirst({
        where: { incidentId: s.incidentId, playbookName: s.playbook.name, dryRun: false, status: { notIn: [...TERMINAL_RUN_STATUSES] } },
        select: { id: true },
      });
      if (active) {
        if (s.trigger === 'AUTO') return null;
        throw new ConflictError(`playbook ${s.playbook.name} is already running for this incident (run ${active.id})`, { runId: active.id });
      }
    }
    const created = await tx.playbookRun.create({
      data: {
        id: s.runId,
        playbookId: s.playbook.id,
        playbookName: s.playbook.name,
        playbookVersion: s.playbook.version,
        incidentId: s.incidentId,
        dryRun: s.dryRun,
        trigger: s.trigger,
        status: state.status,
        state: state as unknown as Prisma.InputJsonValue,
        actor: by,
        actorName: s.actor.name,
        createdAt: at,
        updatedAt: at,
        finishedAt: s.dryRun ? at : null,
      },
    });
    await tx.incidentTimelineEntry.createMany({ data: timelineRows(s.incidentId, state, 0), skipDuplicates: true });
    await audit(tx, s.actor, {
      action: 'playbook.run',
      targetType: 'PlaybookRun',
      targetId: s.runId,
      summary: { playbook: s.playbook.name, version: s.playbook.version, incidentId: s.incidentId, trigger: s.trigger, dryRun: s.dryRun, plan: planSummary(plan) },
    });
    return created;
  });
  if (row) {
    if (!s.dryRun) await wakeRun(deps, row.id, 'start');
    await publishRun(deps, row, by);
  }
  return row;
}

/** Starts a playbook on an incident (RESPONDER). `dryRun` records the plan as a run and executes nothing. */
export async function startPlaybookRun(deps: PlaybookDeps, actor: Actor, input: { playbookId: string; incidentId: string; dryRun?: boolean | null }): Promise<RunRow> {
  requireRole(actor, 'RESPONDER');
  playbookUuid(input.playbookId, 'playbookId');
  playbookUuid(input.incidentId, 'incidentId');
  const pb = await deps.db.playbook.findUnique({ where: { id: input.playbookId } });
  if (!pb) throw new NotFoundError('playbook', input.playbookId);
  if (!pb.enabled) throw new ConflictError(`playbook ${pb.name} is disabled`);
  const row = await createRun(deps, {
    playbook: { id: pb.id, name: pb.name, version: pb.version, definition: definitionOf(pb) },
    incidentId: input.incidentId,
    runId: randomUUID(),
    trigger: 'MANUAL',
    dryRun: input.dryRun ?? false,
    actor,
  });
  return row!;
}

/**
 * Starts the enabled playbooks whose trigger the incident matches (the `incident.changed` job).
 * Each run's id derives from playbook and incident, so an incident starts a playbook once however
 * often it is seen. Returns the runs started now.
 */
export async function triggerPlaybooksForIncident(deps: PlaybookDeps, incidentId: string): Promise<RunRow[]> {
  const incident = await deps.db.incident.findUnique({ where: { id: incidentId }, select: { status: true } });
  if (!incident || !['OPEN', 'TRIAGED'].includes(incident.status)) return [];
  const rows = await deps.db.playbook.findMany({ where: { enabled: true, autoTrigger: true } });
  if (!rows.length) return [];
  const already = new Set((await deps.db.playbookRun.findMany({ where: { incidentId, trigger: 'AUTO' }, select: { id: true } })).map((r) => r.id));
  const candidates = rows.filter((r) => !already.has(autoRunId(r.name, incidentId)));
  if (!candidates.length) return [];
  const defs = new Map(candidates.map((r) => [r.name, { row: r, def: definitionOf(r) }]));
  // The trigger's condition may read the blast radius; the snapshot is read once for all playbooks.
  const ctx = await loadIncidentContext(deps, incidentId, { blastRadius: [...defs.values()].some((d) => needsBlastRadius(d.def)) });
  const started: RunRow[] = [];
  for (const { playbook, runId } of triggeredPlaybooks([...defs.values()].map((d) => d.def), ctx.snapshot, now(deps).getTime())) {
    const { row } = defs.get(playbook.name)!;
    const run = await createRun(deps, {
      playbook: { id: row.id, name: row.name, version: row.version, definition: playbook },
      incidentId,
      runId,
      trigger: 'AUTO',
      dryRun: false,
      actor: PLAYBOOK_TRIGGER_ACTOR,
    });
    if (run) started.push(run);
  }
  return started;
}

/**
 * A responder's change to a run: checks the role, id and reason, applies `change` to the run
 * under its row lock in one transaction (which also audits), then wakes the worker under
 * `wakeReason` and tells subscribers.
 */
async function changeRun(
  deps: PlaybookDeps,
  actor: Actor,
  input: { runId: string; reason?: string | null },
  change: (tx: Prisma.TransactionClient, stored: StoredRun, at: Date, by: string) => Promise<void>,
  wakeReason: (row: RunRow) => string,
): Promise<RunRow> {
  requireRole(actor, 'RESPONDER');
  playbookUuid(input.runId, 'runId');
  if (input.reason && input.reason.length > 2000) throw new ValidationError('reason: at most 2,000 characters', 'reason');
  const by = actorRef(actor);
  const row = await deps.db.$transaction(async (tx) => {
    const stored = await lockRun(tx, input.runId);
    if (!stored) throw new NotFoundError('playbook run', input.runId);
    await change(tx, stored, now(deps), by);
    return tx.playbookRun.findUniqueOrThrow({ where: { id: input.runId } });
  });
  await wakeRun(deps, row.id, wakeReason(row));
  await publishRun(deps, row, by);
  return row;
}

/** Approves or rejects the step of a run that awaits approval (RESPONDER, or ADMIN when the step asks for it). */
export async function decidePlaybookApproval(
  deps: PlaybookDeps,
  actor: Actor,
  input: { runId: string; stepId: string; approve: boolean; reason?: string | null },
): Promise<RunRow> {
  return changeRun(
    deps,
    actor,
    input,
    async (tx, stored, at, by) => {
      const index = stored.state.steps.findIndex((s) => s.plan.id === input.stepId);
      if (index < 0) throw new ValidationError(`stepId: the run has no step "${input.stepId}"`, 'stepId');
      const approval = stored.state.steps[index]!.plan.touches.approval;
      if (approval) requireRole(actor, approval.role);
      const next = applyRunEvent(
        stored.state,
        input.approve ? { type: 'APPROVED', index, at: at.getTime(), by } : { type: 'REJECTED', index, at: at.getTime(), by, ...(input.reason ? { reason: input.reason } : {}) },
      );
      if (next !== stored.state) {
        await writeRun(tx, stored, next, { at, wakeAt: null, ...(isTerminal(next.status) ? { finishedAt: at } : {}) });
      }
      await audit(tx, actor, {
        action: 'playbook.approve',
        targetType: 'PlaybookRun',
        targetId: input.runId,
        summary: { playbook: stored.row.playbookName, stepId: input.stepId, decision: input.approve ? 'APPROVED' : 'REJECTED', reason: input.reason ?? null },
      });
    },
    (row) => `decided.${input.stepId}.${row.revision}`,
  );
}

/** Cancels a run (RESPONDER): no further step starts; a step in flight finishes and is recorded. */
export async function cancelPlaybookRun(deps: PlaybookDeps, actor: Actor, input: { runId: string; reason?: string | null }): Promise<RunRow> {
  return changeRun(
    deps,
    actor,
    input,
    async (tx, stored, at, by) => {
      if (isTerminal(stored.state.status) && stored.state.status !== 'CANCELED') throw new ConflictError(`the run already ${stored.state.status === 'SUCCEEDED' ? 'succeeded' : 'failed'}`);
      const next = applyRunEvent(stored.state, { type: 'CANCELED', at: at.getTime(), by, ...(input.reason ? { reason: input.reason } : {}) });
      if (next !== stored.state) await writeRun(tx, stored, next, { at, wakeAt: null, finishedAt: at });
      await audit(tx, actor, { action: 'playbook.cancel', targetType: 'PlaybookRun', targetId: input.runId, summary: { playbook: stored.row.playbookName, reason: input.reason ?? null } });
    },
    // The worker tells webhook subscribers the run finished.
    () => 'canceled',
  );
}

/** Runs, newest first (VIEWER), of an incident and/or a playbook. */
export async function listPlaybookRuns(
  deps: CoreDeps,
  actor: Actor,
  args: { incidentId?: string | null; playbookId?: string | null; statuses?: string[] | null; first: number },
): Promise<RunRow[]> {
  requireRole(actor, 'VIEWER');
  pageSize(deps, args.first);
  return deps.db.playbookRun.findMany({
    where: {
      ...(args.incidentId ? { incidentId: playbookUuid(args.incidentId, 'incidentId') } : {}),
      ...(args.playbookId ? { playbookId: playbookUuid(args.playbookId, 'playbookId') } : {}),
      ...(args.statuses?.length ? { status: { in: args.statuses } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: args.first,
  });
}

export async function getPlaybookRun(deps: CoreDeps, actor: Actor, id: string): Promise<RunRow | null> {
  requireRole(actor, 'VIEWER');
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return deps.db.playbookRun.findUnique({ where: { id } });
}

/**
 * The dry run (RESPONDER): exactly what each step of a stored playbook (or of a source being
 * edited) would touch on the incident now. Reads only; nothing is stored, queued or sent.
 */
export async function dryRunPlaybook(deps: CoreDeps, actor: Actor, input: { incidentId: string; playbookId?: string | null; source?: string | null }): Promise<PlaybookPlan> {
  requireRole(actor, 'RESPONDER');
  playbookUuid(input.incidentId, 'incidentId');
  let definition: Playbook;
  if (input.playbookId) {
    const row = await deps.db.playbook.findUnique({ where: { id: playbookUuid(input.playbookId, 'playbookId') } });
    if (!row) throw new NotFoundError('playbook', input.playbookId);
    definition = definitionOf(row);
  } else if (input.source) definition = parsePlaybook(input.source);
  else throw new ValidationError('playbookId: give a playbook, or its source', 'playbookId');
  const ctx = await loadIncidentContext(deps, input.incidentId, { blastRadius: needsBlastRadius(definition) });
  return planPlaybook(definition, ctx.snapshot, ctx.selectors, 'dry-run', now(deps).getTime());
}

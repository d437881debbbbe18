import type { Playbook as PlaybookRow, PlaybookRun as RunRow } from '@warden/db';
import { requireRole } from '@warden/core';
import {
  cancelPlaybookRun,
  createPlaybook,
  decidePlaybookApproval,
  deletePlaybook,
  dryRunPlaybook,
  getPlaybook,
  getPlaybookRun,
  listPlaybookRuns,
  listPlaybooks,
  setPlaybookEnabled,
  startPlaybookRun,
  updatePlaybook,
  validatePlaybookSource,
  type PlannedStep,
  type PlaybookDeps,
  type PlaybookRun,
  type RunStep,
  type StepTouches,
} from '@warden/core/playbooks';
import type { GraphQLContext } from '../../context.js';
import { mapLive } from '../../incident-live.js';
import type { Module } from '../module.js';
import { playbooksTypeDefs } from './playbooks.sdl.js';

type Ctx = GraphQLContext;

/** Playbook use-cases' deps from a request: the job queue, webhook settings, live events. */
export const playbookDeps = (ctx: Ctx): PlaybookDeps => ({
  ...ctx.deps,
  jobs: ctx.services.jobs,
  webhooks: ctx.services.webhooks,
  playbooks: { waitPollMs: ctx.services.playbookWaitPollMs, publish: (e) => ctx.services.incidentLive.publish(e) },
});

const stateOf = (r: RunRow) => r.state as unknown as PlaybookRun;
const at = (ms: number | null | undefined) => (ms == null ? null : new Date(ms));

const plannedOut = (p: PlannedStep) => ({
  index: p.index,
  id: p.id,
  type: p.type,
  decision: p.decision,
  skipCode: p.skip?.code ?? null,
  skipReason: p.skip?.reason ?? null,
  idempotencyKey: p.idempotencyKey,
  touches: p.touches,
  excluded: p.excluded,
  definition: p.step,
});

const stepOut = (s: RunStep) => ({
  index: s.plan.index,
  id: s.plan.id,
  type: s.plan.type,
  status: s.status,
  attempts: s.attempts,
  startedAt: at(s.startedAt),
  finishedAt: at(s.finishedAt),
  deadline: at(s.deadline),
  retryAt: at(s.retryAt),
  error: s.error,
  summary: (s.result as { summary?: string } | null)?.summary ?? null,
  result: s.result,
  decidedBy: s.decidedBy,
  plan: plannedOut(s.plan),
});

/** Playbooks and their runs in GraphQL: definitions (ADMIN), dry runs, runs, approvals, live changes. */
export const playbooksModule: Module = {
  typeDefs: playbooksTypeDefs,
  resolvers: {
    Playbook: {
      trigger: (p: PlaybookRow) => (p.definition as { trigger?: unknown }).trigger ?? null,
      stepCount: (p: PlaybookRow) => ((p.definition as { steps?: unknown[] }).steps ?? []).length,
      runs: (p: PlaybookRow, a: { first: number }, ctx: Ctx) => listPlaybookRuns(ctx.deps, ctx.actor!, { playbookId: p.id, first: a.first }),
    },
    StepTouches: {
      deviceIds: (t: StepTouches) => t.devices,
      deviceCount: (t: StepTouches) => t.devices.length,
      devices: async (t: StepTouches, a: { first: number }, ctx: Ctx) => {
        const ids = t.devices.slice(0, Math.max(0, Math.min(a.first, ctx.deps.config.graphql.maxPageSize)));
        if (!ids.length) return [];
        const rows = await ctx.deps.db.device.findMany({ where: { id: { in: ids } } });
        const rank = new Map(ids.map((id, i) => [id, i]));
        return rows.sort((x, y) => rank.get(x.id)! - rank.get(y.id)!);
      },
      segmentIds: (t: StepTouches) => t.segments,
      segments: (t: StepTouches, _: unknown, ctx: Ctx) => Promise.all(t.segments.map((id) => ctx.loaders.segment.load(id))).then((s) => s.filter(Boolean)),
      webhook: (t: StepTouches) => t.webhook ?? null,
      wait: (t: StepTouches) => t.wait ?? null,
      approval: (t: StepTouches) => t.approval ?? null,
    },
    PlaybookRun: {
      playbook: (r: RunRow, _: unknown, ctx: Ctx) => (r.playbookId ? ctx.deps.db.playbook.findUnique({ where: { id: r.playbookId } }) : null),
      incident: (r: RunRow, _: unknown, ctx: Ctx) => ctx.deps.db.incident.findUnique({ where: { id: r.incidentId } }),
      currentStep: (r: RunRow) => {
        const s = stateOf(r);
        const step = ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(s.status) ? undefined : s.steps[s.cursor];
        return step ? stepOut(step) : null;
      },
      steps: (r: RunRow) => stateOf(r).steps.map(stepOut),
      log: (r: RunRow) => stateOf(r).log.map((e) => ({ ...e, at: new Date(e.at), detail: e.detail ?? null })),
    },
    Incident: {
      playbookRuns: (i: { id: string }, _: unknown, ctx: Ctx) => listPlaybookRuns(ctx.deps, ctx.actor!, { incidentId: i.id, first: 100 }),
    },
    Query: {
      playbooks: (_: unknown, a: { enabled?: boolean | null }, ctx: Ctx) => listPlaybooks(ctx.deps, ctx.actor!, { enabled: a.enabled ?? null }),
      playbook: (_: unknown, a: { id: string }, ctx: Ctx) => getPlaybook(ctx.deps, ctx.actor!, a.id),
      playbookRuns: (_: unknown, a: { incidentId?: string | null; playbookId?: string | null; statuses?: string[] | null; first: number }, ctx: Ctx) =>
        listPlaybookRuns(ctx.deps, ctx.actor!, a),
      playbookRun: (_: unknown, a: { id: string }, ctx: Ctx) => getPlaybookRun(ctx.deps, ctx.actor!, a.id),
      dryRunPlaybook: async (_: unknown, a: { incidentId: string; playbookId?: string | null; source?: string | null }, ctx: Ctx) => {
        const plan = await dryRunPlaybook(ctx.deps, ctx.actor!, a);
        return { ...plan, steps: plan.steps.map(plannedOut) };
      },
      validatePlaybook: (_: unknown, a: { source: string }, ctx: Ctx) => {
        requireRole(ctx.actor, 'VIEWER');
        const r = validatePlaybookSource(a.source);
        return { valid: r.valid, issues: r.issues.map((i) => ({ ...i, line: i.line ?? null })), definition: r.playbook };
      },
    },
    Mutation: {
      createPlaybook: (_: unknown, a: { source: string; enabled?: boolean | null }, ctx: Ctx) => createPlaybook(ctx.deps, ctx.actor!, a),
      updatePlaybook: (_: unknown, a: { id: string; source: string }, ctx: Ctx) => updatePlaybook(ctx.deps, ctx.actor!, a.id, { source: a.source }),
      deletePlaybook: (_: unknown, a: { id: string }, ctx: Ctx) => deletePlaybook(ctx.deps, ctx.actor!, a.id),
      setPlaybookEnabled: (_: unknown, a: { id: string; enabled: boolean }, ctx: Ctx) => setPlaybookEnabled(ctx.deps, ctx.actor!, a.id, a.enabled),
      runPlaybook: (_: unknown, a: { playbookId: string; incidentId: string; dryRun?: boolean | null }, ctx: Ctx) => startPlaybookRun(playbookDeps(ctx), ctx.actor!, a),
      approvePlaybookStep: (_: unknown, a: { runId: string; stepId: string; decision?: string | null; reason?: string | null }, ctx: Ctx) =>
        decidePlaybookApproval(playbookDeps(ctx), ctx.actor!, { runId: a.runId, stepId: a.stepId, approve: (a.decision ?? 'APPROVE') === 'APPROVE', reason: a.reason ?? null }),
      cancelPlaybookRun: (_: unknown, a: { runId: string; reason?: string | null }, ctx: Ctx) => cancelPlaybookRun(playbookDeps(ctx), ctx.actor!, a),
    },
    Subscription: {
      playbookRunChanged: {
        subscribe: (_: unknown, a: { incidentId?: string | null }, ctx: Ctx) => {
          requireRole(ctx.actor, 'VIEWER');
          return mapLive(ctx.services.incidentLive.subscribe(), async (e) => {
            if (e.type !== 'PLAYBOOK_RUN' || (a.incidentId && e.incidentId !== a.incidentId)) return null;
            const run = await ctx.deps.db.playbookRun.findUnique({ where: { id: e.runId } });
            return { playbookRunChanged: { runId: e.runId, incidentId: e.incidentId, status: e.status, actor: e.actor, run } };
          });
        },
      },
    },
  },
};


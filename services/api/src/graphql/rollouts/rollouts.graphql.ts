import { setTimeout as sleep } from 'node:timers/promises';
import type { Device, Rollout, RolloutExclusion, UpdateAction } from '@warden/db';
import { requireRole } from '@warden/core';
import {
  FINAL_ROLLOUT_STATUSES,
  approveRollout,
  cancelRollout,
  createRollout,
  deviceUpdateHistory,
  getRollout,
  listRollouts,
  pauseRollout,
  resumeRollout,
  retryFailedDevices,
  rollbackRollout,
  rolloutExclusions,
  rolloutProgress,
  startRollout,
  type CreateRolloutInput,
  type RolloutDeps,
  type RolloutProgress,
} from '@warden/core/rollouts';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';
import { rolloutsTypeDefs } from './rollouts.sdl.js';

type Ctx = GraphQLContext;
const viewer = (ctx: Ctx) => requireRole(ctx.actor, 'VIEWER');
const rolloutDeps = (ctx: Ctx): RolloutDeps => ({ ...ctx.deps, jobs: ctx.services.jobs, evaluateDebounceMs: ctx.services.evaluateDebounceMs });
const orNull = <T>(p: Promise<T>) => p.catch((e: { code?: string }) => (e.code === 'NOT_FOUND' ? null : Promise.reject(e)));

/** GraphQL gives explicit nulls for omitted fields; the use-case wants them absent. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
  }
  return v;
}

function progressOut(p: RolloutProgress) {
  return {
    ...p,
    waves: p.waves.map((w) => ({
      ...w.wave,
      succeeded: w.succeeded,
      failed: w.failed,
      open: w.open,
      counts: Object.entries(w.counts).map(([status, count]) => ({ status, count })),
    })),
  };
}

/** How often a progress subscription looks for changes (one GROUP BY per rollout watched). */
const PROGRESS_INTERVAL_MS = 1000;

export const rolloutsModule: Module = {
  typeDefs: rolloutsTypeDefs,
  resolvers: {
    Rollout: {
      release: (r: Rollout, _: unknown, ctx: Ctx) => ctx.deps.db.release.findUnique({ where: { id: r.releaseId } }),
      rollbackOf: (r: Rollout, _: unknown, ctx: Ctx) => (r.rollbackOfId ? ctx.deps.db.rollout.findUnique({ where: { id: r.rollbackOfId } }) : null),
      progress: async (r: Rollout, _: unknown, ctx: Ctx) => progressOut(await rolloutProgress(ctx.deps, viewer(ctx), r.id)),
      exclusions: (r: Rollout, _: unknown, ctx: Ctx) => rolloutExclusions(ctx.deps, viewer(ctx), r.id),
    },
    RolloutExclusion: {
      device: (e: RolloutExclusion & { device?: Device }, _: unknown, ctx: Ctx) => e.device ?? ctx.deps.db.device.findUnique({ where: { id: e.deviceId } }),
    },
    UpdateAction: {
      id: (a: UpdateAction) => String(a.id),
      rollout: (a: UpdateAction, _: unknown, ctx: Ctx) => ctx.deps.db.rollout.findUnique({ where: { id: a.rolloutId } }),
      release: (a: UpdateAction & { release?: unknown }, _: unknown, ctx: Ctx) => a.release ?? ctx.deps.db.release.findUnique({ where: { id: a.releaseId } }),
      history: (a: UpdateAction & { history?: unknown[] }, _: unknown, ctx: Ctx) =>
        a.history ?? ctx.deps.db.updateActionStatusEntry.findMany({ where: { actionId: a.id }, orderBy: { id: 'asc' } }),
    },
    Device: {
      updateHistory: (d: Device, args: { first: number }, ctx: Ctx) =>
        deviceUpdateHistory(ctx.deps, viewer(ctx), d.id, { take: Math.min(Math.max(args.first, 0), ctx.deps.config.graphql.maxPageSize) }),
    },
    Query: {
      rollouts: (_: unknown, a: { status?: Rollout['status'] | null; first: number; skip: number }, ctx: Ctx) =>
        listRollouts(ctx.deps, viewer(ctx), {
          ...(a.status ? { status: a.status } : {}),
          take: Math.min(Math.max(a.first, 0), ctx.deps.config.graphql.maxPageSize),
          skip: Math.max(a.skip, 0),
        }),
      rollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => orNull(getRollout(ctx.deps, viewer(ctx), id)),
      rolloutProgress: async (_: unknown, { id }: { id: string }, ctx: Ctx) => progressOut(await rolloutProgress(ctx.deps, viewer(ctx), id)),
    },
    Mutation: {
      createRollout: (_: unknown, { input }: { input: CreateRolloutInput }, ctx: Ctx) =>
        createRollout(ctx.deps, viewer(ctx), dropNulls(input) as CreateRolloutInput),
      approveRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => approveRollout(rolloutDeps(ctx), viewer(ctx), id),
      startRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => startRollout(rolloutDeps(ctx), viewer(ctx), id),
      pauseRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => pauseRollout(rolloutDeps(ctx), viewer(ctx), id),
      resumeRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => resumeRollout(rolloutDeps(ctx), viewer(ctx), id),
      cancelRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => cancelRollout(rolloutDeps(ctx), viewer(ctx), id),
      retryFailedRollout: (_: unknown, { id }: { id: string }, ctx: Ctx) => retryFailedDevices(rolloutDeps(ctx), viewer(ctx), id),
      rollbackRollout: (_: unknown, args: { id: string; requiresApproval?: boolean | null }, ctx: Ctx) =>
        rollbackRollout(rolloutDeps(ctx), viewer(ctx), args.id, args.requiresApproval == null ? {} : { requiresApproval: args.requiresApproval }),
    },
    Subscription: {
      rolloutProgress: {
        /** Pushes the progress whenever it changes, until the rollout is over. */
        subscribe: async function* (_: unknown, { id }: { id: string }, ctx: Ctx) {
          const actor = viewer(ctx);
          let last = '';
          for (;;) {
            const p = progressOut(await rolloutProgress(ctx.deps, actor, id));
            const json = JSON.stringify(p);
            if (json !== last) {
              last = json;
              yield { rolloutProgress: p };
            }
            if (FINAL_ROLLOUT_STATUSES.includes(p.status)) return;
            await sleep(PROGRESS_INTERVAL_MS);
          }
        },
      },
    },
  },
};

import type { Containment } from '@warden/db';
import { requireRole } from '@warden/core';
import {
  getContainment,
  listContainments,
  releaseContainment,
  requestContainment,
  type ContainmentDeps,
  type ContainmentFilter,
  type ContainmentRequest,
  type ContainmentResult,
  type Skip,
  type UndoStep,
} from '@warden/core/containment';
import type { GraphQLContext } from '../../context.js';
import { mapLive } from '../../incident-live.js';
import type { Module } from '../module.js';
import { containmentTypeDefs } from './containment.sdl.js';

type Ctx = GraphQLContext;

/** What containment adds to the API's services. */
export interface ContainmentServices {
  containment: Pick<ContainmentDeps, 'pubsub' | 'redisPrefix' | 'managementAllow'>;
}

const deps = (ctx: Ctx): ContainmentDeps => ({ ...ctx.deps, jobs: ctx.services.jobs, ...ctx.services.containment });

const clean = <T extends Record<string, unknown>>(o: T | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: NonNullable<T[K]> };

interface CommonArgs {
  reason: string;
  expiresIn?: number | null;
  incidentId?: string | null;
  overrideFailSafe?: boolean | null;
  requestKey?: string | null;
}

const common = (a: CommonArgs) => ({
  reason: a.reason,
  expiresInSeconds: a.expiresIn ?? null,
  incidentId: a.incidentId ?? null,
  overrideFailSafe: a.overrideFailSafe ?? false,
  requestKey: a.requestKey ?? null,
});

const request = (ctx: Ctx, input: ContainmentRequest): Promise<ContainmentResult> => requestContainment(deps(ctx), ctx.actor!, input);

const cursorOf = (c: Containment) => Buffer.from(`${c.createdAt.getTime()}|${c.id}`).toString('base64url');

/** Containment mutations, queries and the containmentChanged subscription. */
export const containmentModule: Module = {
  typeDefs: containmentTypeDefs,
  resolvers: {
    Containment: {
      target: (c: Containment) => c.targetKey,
      device: (c: Containment, _: unknown, ctx: Ctx) => (c.deviceId ? ctx.deps.db.device.findUnique({ where: { id: c.deviceId } }) : null),
      segment: (c: Containment, _: unknown, ctx: Ctx) => (c.segmentId ? ctx.loaders.segment.load(c.segmentId) : null),
      incident: (c: Containment, _: unknown, ctx: Ctx) => (c.incidentId ? ctx.deps.db.incident.findUnique({ where: { id: c.incidentId } }) : null),
      skipped: (c: Containment) => c.skipped as unknown as Skip[],
      undo: (c: Containment) => (c.undo ? (c.undo as unknown as UndoStep[]).map(({ type, ...detail }) => ({ type, detail })) : null),
      delivered: (c: Containment) => c.deliveredVersion >= c.version,
    },
    ContainmentSkip: {
      device: (s: Skip, _: unknown, ctx: Ctx) => (s.deviceId ? ctx.deps.db.device.findUnique({ where: { id: s.deviceId } }) : null),
      coveredBy: (s: Skip, _: unknown, ctx: Ctx) => (s.coveredById ? ctx.deps.db.containment.findUnique({ where: { id: s.coveredById } }) : null),
    },
    Query: {
      containments: async (_: unknown, a: { filter?: Record<string, unknown> | null; first: number; after?: string | null }, ctx: Ctx) => {
        const p = await listContainments(ctx.deps, ctx.actor!, { filter: clean(a.filter) as ContainmentFilter, first: a.first, after: a.after ?? null });
        return {
          nodes: p.nodes,
          edges: p.nodes.map((node) => ({ cursor: cursorOf(node), node })),
          totalCount: p.totalCount,
          pageInfo: { hasNextPage: p.hasNextPage, hasPreviousPage: false, startCursor: p.nodes[0] ? cursorOf(p.nodes[0]) : null, endCursor: p.endCursor },
        };
      },
      containment: (_: unknown, a: { id: string }, ctx: Ctx) => getContainment(ctx.deps, ctx.actor!, a.id),
    },
    Mutation: {
      quarantineDevices: (_: unknown, a: CommonArgs & { deviceIds: string[] }, ctx: Ctx) => request(ctx, { kind: 'QUARANTINE_DEVICES', deviceIds: a.deviceIds, ...common(a) }),
      isolateSegment: (_: unknown, a: CommonArgs & { segmentId: string }, ctx: Ctx) => request(ctx, { kind: 'ISOLATE_SEGMENT', segmentId: a.segmentId, ...common(a) }),
      blockDestination: (_: unknown, a: CommonArgs & { destination: string }, ctx: Ctx) => request(ctx, { kind: 'BLOCK_DESTINATION', destination: a.destination, ...common(a) }),
      rotateDeviceCredentials: (_: unknown, a: CommonArgs & { deviceIds: string[] }, ctx: Ctx) => request(ctx, { kind: 'ROTATE_CREDENTIALS', deviceIds: a.deviceIds, ...common(a) }),
      revokeDeviceCredentials: (_: unknown, a: CommonArgs & { deviceIds: string[] }, ctx: Ctx) => request(ctx, { kind: 'REVOKE_CREDENTIALS', deviceIds: a.deviceIds, ...common(a) }),
      releaseContainment: (_: unknown, a: { id: string; reason: string }, ctx: Ctx) => releaseContainment(deps(ctx), ctx.actor!, a),
    },
    Subscription: {
      containmentChanged: {
        subscribe: (_: unknown, __: unknown, ctx: Ctx) => {
          requireRole(ctx.actor, 'VIEWER');
          return mapLive(ctx.services.incidentLive.subscribe(), async (e) => {
            if (e.type !== 'CONTAINMENT') return null;
            const containments = await ctx.deps.db.containment.findMany({ where: { id: { in: e.containmentIds.slice(0, 1000) } }, orderBy: { id: 'asc' } });
            return containments.length ? { containmentChanged: { change: e.change, actor: e.actor, containments } } : null;
          });
        },
      },
    },
  },
};

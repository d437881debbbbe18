import { searchDevicesSql, type Device, type Incident } from '@warden/db';
import {
  actorRef,
  getBlastRadius,
  getReadiness,
  requireRole,
  startEmergencyPatch,
  type AdvisoryExposure,
  type BlastRadiusReport,
  type BlastReason,
  type StartEmergencyPatchInput,
} from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';
import { exposureTypeDefs } from './exposure.sdl.js';

type Ctx = GraphQLContext;

interface BlastRadiusArgs {
  incidentId?: string | null;
  deviceIds?: string[] | null;
  maxHops: number;
  includeUnpatchable: boolean;
  first: number;
  after?: string | null;
}

/** Loads every device a report names in one query and shapes the report for the schema. */
async function blastRadiusOut(ctx: Ctx, r: BlastRadiusReport) {
  const ids = [...new Set([...r.compromised, ...r.devices.map((d) => d.deviceId)])];
  // One statement for the page's devices with their models and segments (the Device resolvers answer from them).
  const rows = ids.length ? await searchDevicesSql(ctx.deps.sql, { filter: { ids }, sort: 'name', desc: false, limit: ids.length }) : [];
  const byId = new Map<string, Device>(rows.map((d) => [d.id, d]));
  return {
    incidentId: r.incidentId,
    compromised: r.compromised.map((id) => byId.get(id)).filter((d): d is Device => d !== undefined),
    maxHops: r.maxHops,
    total: r.total,
    tiers: ([1, 2, 3, 4] as const).map((tier) => ({ tier, devices: r.byTier[tier] })),
    bySegment: r.bySegment.map((s) => ({ segmentId: s.segmentId, total: s.total, tier1: s.byTier[1], tier2: s.byTier[2], tier3: s.byTier[3], tier4: s.byTier[4] })),
    exploitedAdvisories: r.exploitedAdvisories,
    devices: {
      nodes: r.devices.flatMap((d) => {
        const device = byId.get(d.deviceId);
        return device ? [{ device, tier: d.tier, score: d.score, reasons: d.reasons, cursor: d.cursor }] : [];
      }),
      pageInfo: { hasNextPage: r.hasNextPage, hasPreviousPage: false, startCursor: r.devices[0]?.cursor ?? null, endCursor: r.endCursor },
      totalCount: r.total,
    },
  };
}

const blastRadius = async (ctx: Ctx, a: BlastRadiusArgs) =>
  blastRadiusOut(
    ctx,
    await getBlastRadius(ctx.deps, requireRole(ctx.actor, 'VIEWER'), {
      incidentId: a.incidentId ?? null,
      deviceIds: a.deviceIds ?? null,
      maxHops: a.maxHops,
      includeUnpatchable: a.includeUnpatchable,
      first: a.first,
      after: a.after ?? null,
    }),
  );

/** GraphQL gives explicit nulls for omitted fields; the use-case wants them absent. */
const present = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;

export const exposureModule: Module = {
  typeDefs: exposureTypeDefs,
  resolvers: {
    BlastReason: {
      hops: (r: BlastReason) => (r.kind === 'CONTACTED' ? r.hops : null),
      via: (r: BlastReason) => (r.kind === 'CONTACTED' ? r.via : null),
      viaDevice: (r: BlastReason, _: unknown, ctx: Ctx) => (r.kind === 'CONTACTED' && r.via ? ctx.deps.db.device.findUnique({ where: { id: r.via } }) : null),
      segment: (r: BlastReason, _: unknown, ctx: Ctx) => (r.kind === 'SAME_SEGMENT' ? ctx.loaders.segment.load(r.segmentId) : null),
    },
    BlastRadius: {
      incident: (b: { incidentId: string | null }, _: unknown, ctx: Ctx) => (b.incidentId ? ctx.deps.db.incident.findUnique({ where: { id: b.incidentId } }) : null),
    },
    BlastRadiusSegmentCount: {
      segment: (s: { segmentId: string | null }, _: unknown, ctx: Ctx) => (s.segmentId ? ctx.loaders.segment.load(s.segmentId) : null),
    },
    SegmentDeviceCount: {
      segment: (s: { segmentId: string | null }, _: unknown, ctx: Ctx) => (s.segmentId ? ctx.loaders.segment.load(s.segmentId) : null),
    },
    AdvisoryExposure: {
      advisory: (a: AdvisoryExposure, _: unknown, ctx: Ctx) => ctx.deps.db.advisory.findUnique({ where: { id: a.advisoryId }, include: { affected: true } }),
      bySite: async (a: AdvisoryExposure, _: unknown, ctx: Ctx) => {
        const sites = new Map<string | null, number>();
        for (const s of a.bySegment) {
          const seg = s.segmentId ? await ctx.loaders.segment.load(s.segmentId) : null;
          const site = seg?.siteId ?? null;
          sites.set(site, (sites.get(site) ?? 0) + s.devices);
        }
        const sorted = [...sites].sort((x, y) => y[1] - x[1]);
        return Promise.all(sorted.map(async ([siteId, devices]) => ({ site: siteId ? await ctx.loaders.site.load(siteId) : null, devices })));
      },
    },
    FirmwareDeviceCount: {
      model: (f: { modelId: string }, _: unknown, ctx: Ctx) => ctx.loaders.model.load(f.modelId),
    },
    SegmentReadiness: {
      segment: (s: { segmentId: string }, _: unknown, ctx: Ctx) => ctx.loaders.segment.load(s.segmentId),
      wormReach: (s: { anyAdvisory: { devices: number; segments: string[] } }) => s.anyAdvisory,
    },
    WormReach: {
      segments: (w: { segments: string[] }, _: unknown, ctx: Ctx) => w.segments.map((id) => ctx.loaders.segment.load(id)),
    },
    AdvisoryWormReach: {
      segments: (w: { segments: string[] }, _: unknown, ctx: Ctx) => w.segments.map((id) => ctx.loaders.segment.load(id)),
    },
    SimultaneousExposure: {
      startSegment: (s: { startSegment: string | null }, _: unknown, ctx: Ctx) => (s.startSegment ? ctx.loaders.segment.load(s.startSegment) : null),
      segments: (s: { segments: string[] }, _: unknown, ctx: Ctx) => s.segments.map((id) => ctx.loaders.segment.load(id)),
    },
    EmergencyPatchResult: {
      incident: (r: { incidentId: string }, _: unknown, ctx: Ctx) => ctx.deps.db.incident.findUnique({ where: { id: r.incidentId } }),
      targets: async (r: { targets: string[] }, _: unknown, ctx: Ctx) => {
        const rows = await ctx.deps.db.device.findMany({ where: { id: { in: r.targets } } });
        const byId = new Map(rows.map((d) => [d.id, d]));
        return r.targets.map((id) => byId.get(id)).filter((d) => d !== undefined);
      },
      targetCount: (r: { targets: string[] }) => r.targets.length,
    },
    EmergencyPatchSkip: {
      device: (s: { deviceId: string }, _: unknown, ctx: Ctx) => ctx.deps.db.device.findUnique({ where: { id: s.deviceId } }),
    },
    Incident: {
      blastRadius: (i: Incident, a: Omit<BlastRadiusArgs, 'incidentId' | 'deviceIds'>, ctx: Ctx) => blastRadius(ctx, { ...a, incidentId: i.id }),
    },
    Query: {
      blastRadius: (_: unknown, a: BlastRadiusArgs, ctx: Ctx) => blastRadius(ctx, a),
      readiness: (_: unknown, a: { siteId?: string | null }, ctx: Ctx) => getReadiness(ctx.deps, requireRole(ctx.actor, 'VIEWER'), { siteId: a.siteId ?? null }),
    },
    Mutation: {
      startEmergencyPatch: async (_: unknown, { input }: { input: Record<string, unknown> }, ctx: Ctx) => {
        const actor = requireRole(ctx.actor, 'RESPONDER');
        const waves = Array.isArray(input.waves) ? input.waves.map((w) => present(w as Record<string, unknown>)) : undefined;
        const result = await startEmergencyPatch(
          { ...ctx.deps, jobs: ctx.services.jobs, evaluateDebounceMs: ctx.services.evaluateDebounceMs },
          actor,
          present({ ...input, waves }) as StartEmergencyPatchInput,
        );
        if (!result.replayed) await ctx.services.incidentLive.publish({ type: 'INCIDENT', incidentId: result.incidentId, change: 'UPDATED', actor: actorRef(actor) });
        return result;
      },
    },
  },
};

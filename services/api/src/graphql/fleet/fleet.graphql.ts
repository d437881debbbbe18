import type { GraphQLResolveInfo } from 'graphql';
import type { Device, DeviceCredential, DeviceModel, DeviceRow, Segment, Site } from '@warden/db';
import {
  countDevices,
  createDeviceModel,
  createSegment,
  createSite,
  deleteSegment,
  deleteSite,
  encodeCursor,
  fleetSummary,
  getDevice,
  importDevices,
  issueDeviceCredential,
  moveDevices,
  registerDevice,
  requireRole,
  retireDevice,
  searchDevices,
  tagDevices,
  updateDevice,
  updateDeviceModel,
  updateSegment,
  updateSite,
  ValidationError,
  type DeviceFilter,
  type DeviceOrder,
  type DeviceSortField,
  type Page,
} from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';
import { deviceFieldsOf } from './device-selection.js';
import { fleetTypeDefs } from './fleet.sdl.js';

type Ctx = GraphQLContext;
const viewer = (ctx: Ctx) => requireRole(ctx.actor, 'VIEWER');

/** GraphQL sends explicit nulls for omitted optional inputs in some clients; for creation they mean "absent". */
function dropNulls<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) as T;
}

interface DevicesArgs {
  filter?: DeviceFilter | null;
  first: number;
  after?: string | null;
  orderBy?: DeviceOrder | null;
}

/** What `Query.devices` resolves to; `edges` and `totalCount` are derived from it on demand. */
interface DeviceConnection {
  nodes: DeviceRow[];
  pageInfo: Page<DeviceRow>;
  filter: DeviceFilter | undefined;
  orderField: DeviceSortField;
}

export const fleetModule: Module = {
  typeDefs: fleetTypeDefs,
  resolvers: {
    Device: {
      // Rows from the device search carry their model and segment: answering synchronously lets
      // graphql-js complete a whole page without a promise per field.
      model: (d: Device & Partial<DeviceRow>, _: unknown, ctx: Ctx) => d.joinedModel ?? ctx.loaders.model.load(d.modelId),
      segment: (d: Device & Partial<DeviceRow>, _: unknown, ctx: Ctx) =>
        d.joinedSegment !== undefined ? d.joinedSegment : d.segmentId ? ctx.loaders.segment.load(d.segmentId) : null,
      site: async (d: Device, _: unknown, ctx: Ctx) => {
        if (!d.segmentId) return null;
        const segment = await ctx.loaders.segment.load(d.segmentId);
        return segment ? ctx.loaders.site.load(segment.siteId) : null;
      },
      credentials: (d: Device, _: unknown, ctx: Ctx) => ctx.loaders.credentialsByDevice.load(d.id),
    },
    DeviceCredential: {
      active: (c: DeviceCredential) => !c.revokedAt && (!c.expiresAt || c.expiresAt > new Date()),
    },
    Segment: {
      site: (s: Segment, _: unknown, ctx: Ctx) => ctx.loaders.site.load(s.siteId),
      deviceCount: (s: Segment, _: unknown, ctx: Ctx) => ctx.loaders.deviceCountBySegment.load(s.id),
    },
    Site: {
      segments: (s: Site, _: unknown, ctx: Ctx) => ctx.loaders.segmentsBySite.load(s.id),
      deviceCount: (s: Site, _: unknown, ctx: Ctx) => ctx.loaders.deviceCountBySite.load(s.id),
    },
    DeviceModel: {
      deviceCount: (m: DeviceModel, _: unknown, ctx: Ctx) => ctx.loaders.deviceCountByModel.load(m.id),
    },
    DeviceConnection: {
      // A cursor per row costs a JSON encoding each: only for callers that ask for edges.
      edges: (c: DeviceConnection) => c.nodes.map((node) => ({ cursor: encodeCursor(node, c.orderField), node })),
      totalCount: (c: DeviceConnection, _: unknown, ctx: Ctx) => countDevices(ctx.deps, viewer(ctx), c.filter),
    },
    ModelCount: { model: (r: { key: string }, _: unknown, ctx: Ctx) => ctx.loaders.model.load(r.key) },
    SegmentCount: { segment: (r: { key: string | null }, _: unknown, ctx: Ctx) => (r.key ? ctx.loaders.segment.load(r.key) : null) },
    FirmwareCount: { model: (r: { modelId: string }, _: unknown, ctx: Ctx) => ctx.loaders.model.load(r.modelId) },
    KindCount: { kind: (r: { key: string }) => r.key },
    StatusCount: { status: (r: { key: string }) => r.key },
    Query: {
      device: async (_: unknown, args: { id?: string; serial?: string; controllerId?: string }, ctx: Ctx) => {
        const actor = viewer(ctx);
        const given = [args.id, args.serial, args.controllerId].filter((x) => x != null);
        if (given.length !== 1) throw new ValidationError('give exactly one of id, serial or controllerId', 'id');
        if (args.id) {
          if (!/^[0-9a-f-]{36}$/i.test(args.id)) return null;
          return getDevice(ctx.deps, actor, args.id).catch((e: { code?: string }) => (e.code === 'NOT_FOUND' ? null : Promise.reject(e)));
        }
        return ctx.deps.db.device.findUnique({ where: args.serial ? { serial: args.serial } : { controllerId: args.controllerId! } });
      },
      devices: async (_: unknown, args: DevicesArgs, ctx: Ctx, info: GraphQLResolveInfo) => {
        const filter = args.filter ?? undefined;
        const fields = deviceFieldsOf(info);
        const page = await searchDevices(ctx.deps, viewer(ctx), {
          filter,
          first: args.first,
          after: args.after ?? null,
          ...(args.orderBy ? { orderBy: args.orderBy } : {}),
          ...(fields ? { fields } : {}),
        });
        for (const d of page.nodes) {
          ctx.loaders.model.prime(d.modelId, d.joinedModel as DeviceModel);
          if (d.joinedSegment) ctx.loaders.segment.prime(d.joinedSegment.id, d.joinedSegment as Segment);
        }
        const connection: DeviceConnection = { nodes: page.nodes, pageInfo: page, filter, orderField: args.orderBy?.field ?? 'NAME' };
        return connection;
      },
      fleetSummary: (_: unknown, args: { filter?: DeviceFilter | null }, ctx: Ctx) => fleetSummary(ctx.deps, viewer(ctx), args.filter ?? undefined),
      sites: (_: unknown, __: unknown, ctx: Ctx) => (viewer(ctx), ctx.deps.db.site.findMany({ orderBy: { name: 'asc' } })),
      site: (_: unknown, { id }: { id: string }, ctx: Ctx) => (viewer(ctx), ctx.loaders.site.load(id)),
      segments: (_: unknown, { siteId }: { siteId?: string }, ctx: Ctx) =>
        (viewer(ctx), ctx.deps.db.segment.findMany({ where: siteId ? { siteId } : {}, orderBy: [{ siteId: 'asc' }, { name: 'asc' }] })),
      segment: (_: unknown, { id }: { id: string }, ctx: Ctx) => (viewer(ctx), ctx.loaders.segment.load(id)),
      deviceModels: (_: unknown, __: unknown, ctx: Ctx) =>
        (viewer(ctx), ctx.deps.db.deviceModel.findMany({ orderBy: [{ vendor: 'asc' }, { name: 'asc' }] })),
    },
    Mutation: {
      registerDevice: (_: unknown, { input }: { input: Parameters<typeof registerDevice>[2] }, ctx: Ctx) =>
        registerDevice(ctx.deps, viewer(ctx), dropNulls(input)),
      importDevices: (_: unknown, { input }: { input: Parameters<typeof importDevices>[2] }, ctx: Ctx) =>
        importDevices(ctx.deps, viewer(ctx), input),
      updateDevice: (_: unknown, args: { id: string; input: Parameters<typeof updateDevice>[3] }, ctx: Ctx) =>
        updateDevice(ctx.deps, viewer(ctx), args.id, args.input),
      tagDevices: (_: unknown, args: { ids: string[]; add?: string[]; remove?: string[] }, ctx: Ctx) => tagDevices(ctx.deps, viewer(ctx), args),
      moveDevices: (_: unknown, args: { ids: string[]; segmentId: string }, ctx: Ctx) => moveDevices(ctx.deps, viewer(ctx), args),
      retireDevice: (_: unknown, args: { id: string; reason?: string }, ctx: Ctx) => retireDevice(ctx.deps, viewer(ctx), args),
      issueDeviceCredential: (_: unknown, args: { deviceId: string; expiresAt?: Date | null }, ctx: Ctx) =>
        issueDeviceCredential(ctx.deps, viewer(ctx), args),
      createSite: (_: unknown, { input }: { input: Parameters<typeof createSite>[2] }, ctx: Ctx) => createSite(ctx.deps, viewer(ctx), dropNulls(input)),
      updateSite: (_: unknown, args: { id: string; input: Parameters<typeof updateSite>[3] }, ctx: Ctx) =>
        updateSite(ctx.deps, viewer(ctx), args.id, args.input),
      deleteSite: (_: unknown, { id }: { id: string }, ctx: Ctx) => deleteSite(ctx.deps, viewer(ctx), id),
      createSegment: (_: unknown, { input }: { input: Parameters<typeof createSegment>[2] }, ctx: Ctx) => createSegment(ctx.deps, viewer(ctx), dropNulls(input)),
      updateSegment: (_: unknown, args: { id: string; input: Parameters<typeof updateSegment>[3] }, ctx: Ctx) =>
        updateSegment(ctx.deps, viewer(ctx), args.id, args.input),
      deleteSegment: (_: unknown, { id }: { id: string }, ctx: Ctx) => deleteSegment(ctx.deps, viewer(ctx), id),
      createDeviceModel: (_: unknown, { input }: { input: Parameters<typeof createDeviceModel>[2] }, ctx: Ctx) =>
        createDeviceModel(ctx.deps, viewer(ctx), dropNulls(input)),
      updateDeviceModel: (_: unknown, args: { id: string; input: Parameters<typeof updateDeviceModel>[3] }, ctx: Ctx) =>
        updateDeviceModel(ctx.deps, viewer(ctx), args.id, args.input),
    },
  },
};

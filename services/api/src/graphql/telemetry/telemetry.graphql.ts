import type { Device } from '@warden/db';
import {
  getDeviceLatestState,
  getFleetLiveness,
  getTelemetrySeries,
  listDeviceContacts,
} from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';

type Ctx = GraphQLContext;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SeriesArgs {
  metric: string;
  from: Date;
  to?: Date | null;
  bucketSeconds?: number | null;
  maxPoints?: number | null;
}

const series = (ctx: Ctx, deviceId: string, a: SeriesArgs) =>
  getTelemetrySeries(ctx.deps, ctx.actor, {
    deviceId,
    metric: a.metric,
    from: a.from,
    ...(a.to ? { to: a.to } : {}),
    ...(a.bucketSeconds != null ? { bucketSeconds: a.bucketSeconds } : {}),
    ...(a.maxPoints != null ? { maxPoints: a.maxPoints } : {}),
  });

const contacts = (ctx: Ctx, deviceId: string, a: { since?: Date | null; first?: number | null }) =>
  listDeviceContacts(ctx.deps, ctx.actor, { deviceId, ...(a.since ? { since: a.since } : {}), ...(a.first != null ? { first: a.first } : {}) });

/** Telemetry in GraphQL: a device's latest state, metric series, contacts, and fleet liveness. */
export const telemetryModule: Module = {
  typeDefs: /* GraphQL */ `
    "The latest of what a device reported through telemetry."
    type DeviceTelemetryState {
      online: Boolean!
      "Gateway receive time of the newest message."
      lastSeenAt: DateTime!
      "When the device last went ONLINE or OFFLINE."
      onlineChangedAt: DateTime!
      "Device timestamp of the newest message."
      lastReportAt: DateTime!
      lastSeq: Float!
      "Latest value of every metric the device reports, e.g. { cpu: 12.5, temperature: 41 }."
      metrics: JSON!
      firmwareVersion: String
      firmwareHash: String
      ip: String
      expectedIntervalSeconds: Int
    }

    "One bucket of a metric's series."
    type TelemetryBucket {
      at: DateTime!
      avg: Float!
      min: Float!
      max: Float!
      "Readings in the bucket."
      count: Int!
      "Readings received while the device was quarantined (flagged by the gateway; containment)."
      quarantined: Int!
    }

    "A metric of one device over time, downsampled on the server to at most maxPoints buckets."
    type TelemetrySeries {
      metric: String!
      from: DateTime!
      to: DateTime!
      "The bucket used: the one asked for, widened to a round size when it would give too many points."
      bucketSeconds: Int!
      points: [TelemetryBucket!]!
    }

    "Traffic between a device and one peer address, port and protocol (the communication graph)."
    type DeviceContact {
      peerIp: String!
      port: Int!
      protocol: String!
      "The device opened the connection (at least once)."
      outbound: Boolean!
      firstSeenAt: DateTime!
      lastSeenAt: DateTime!
      bytes: Float!
      packets: Float!
      "Flow reports aggregated here."
      count: Float!
      "The Warden device at the peer address, when it is one of ours."
      peerDevice: Device
    }

    "Devices by liveness (retired devices excluded)."
    type FleetLiveness {
      online: Int!
      offline: Int!
      "Registered devices that never sent telemetry."
      neverSeen: Int!
    }

    extend type Device {
      "Latest telemetry state; null when the device never sent telemetry."
      telemetry: DeviceTelemetryState
      "A metric over time, e.g. telemetrySeries(metric: \\"cpu\\", from: \\"2026-11-24T00:00:00Z\\", bucketSeconds: 300)."
      telemetrySeries(metric: String!, from: DateTime!, to: DateTime, bucketSeconds: Int, maxPoints: Int = 500): TelemetrySeries!
      "Who this device talked to, most recent first."
      contacts(since: DateTime, first: Int = 100): [DeviceContact!]!
    }

    extend type Query {
      "A device's latest telemetry state (VIEWER)."
      deviceTelemetry(deviceId: ID!): DeviceTelemetryState
      "A device's metric over time, downsampled on the server (VIEWER)."
      telemetrySeries(deviceId: ID!, metric: String!, from: DateTime!, to: DateTime, bucketSeconds: Int, maxPoints: Int = 500): TelemetrySeries!
      "Online / offline / never-seen counts for the fleet, a site or a segment (VIEWER)."
      fleetLiveness(siteId: ID, segmentId: ID): FleetLiveness!
      "Who a device talked to, most recent first (VIEWER)."
      deviceContacts(deviceId: ID!, since: DateTime, first: Int = 100): [DeviceContact!]!
    }
  `,
  resolvers: {
    DeviceTelemetryState: {
      lastReportAt: (s: { lastTs: Date }) => s.lastTs,
    },
    Device: {
      telemetry: (d: Device, _: unknown, ctx: Ctx) => getDeviceLatestState(ctx.deps, ctx.actor, d.id),
      telemetrySeries: (d: Device, a: SeriesArgs, ctx: Ctx) => series(ctx, d.id, a),
      contacts: (d: Device, a: { since?: Date | null; first?: number | null }, ctx: Ctx) => contacts(ctx, d.id, a),
    },
    Query: {
      deviceTelemetry: (_: unknown, { deviceId }: { deviceId: string }, ctx: Ctx) =>
        UUID.test(deviceId) ? getDeviceLatestState(ctx.deps, ctx.actor, deviceId) : null,
      telemetrySeries: (_: unknown, a: SeriesArgs & { deviceId: string }, ctx: Ctx) => series(ctx, a.deviceId, a),
      fleetLiveness: (_: unknown, a: { siteId?: string | null; segmentId?: string | null }, ctx: Ctx) =>
        getFleetLiveness(ctx.deps, ctx.actor, { ...(a.siteId ? { siteId: a.siteId } : {}), ...(a.segmentId ? { segmentId: a.segmentId } : {}) }),
      deviceContacts: (_: unknown, a: { deviceId: string; since?: Date | null; first?: number | null }, ctx: Ctx) => contacts(ctx, a.deviceId, a),
    },
  },
};

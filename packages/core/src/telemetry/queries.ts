import { METRIC_NAME } from '@warden/contracts';
import { fleetLivenessCounts, telemetrySeries, type Device, type FleetLiveness, type SeriesBucket } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';

/** Read use-cases for telemetry (GraphQL and the console). Every one needs the VIEWER role. */
type TelemetryQueryDeps = Pick<CoreDeps, 'db' | 'sql' | 'now'>;

export interface DeviceLatestState {
  deviceId: string;
  online: boolean;
  lastSeenAt: Date;
  onlineChangedAt: Date;
  lastTs: Date;
  lastSeq: number;
  metrics: Record<string, number>;
  firmwareVersion: string | null;
  firmwareHash: string | null;
  ip: string | null;
  expectedIntervalSeconds: number | null;
}

/** The device's latest reported state, or null when it never sent telemetry. */
export async function getDeviceLatestState(deps: TelemetryQueryDeps, actor: Actor | null, deviceId: string): Promise<DeviceLatestState | null> {
  requireRole(actor, 'VIEWER');
  const s = await deps.db.deviceState.findUnique({ where: { deviceId } });
  if (!s) return null;
  return {
    deviceId: s.deviceId,
    online: s.online,
    lastSeenAt: s.lastSeenAt,
    onlineChangedAt: s.onlineChangedAt,
    lastTs: s.lastTs,
    lastSeq: Number(s.lastSeq),
    metrics: s.metrics as Record<string, number>,
    firmwareVersion: s.firmwareVersion,
    firmwareHash: s.firmwareHash,
    ip: s.ip,
    expectedIntervalSeconds: s.expectedIntervalSeconds,
  };
}

/** Bucket sizes the server picks from, so charts line up on round times. */
const NICE_BUCKETS = [10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400, 604800];

/**
 * The bucket for a series: the requested one, widened to the next round size when it would give
 * more than `maxPoints` buckets. Pure.
 */
export function chooseBucketSeconds(rangeSeconds: number, maxPoints: number, requested?: number): number {
  const minimum = Math.max(requested ?? 0, rangeSeconds / maxPoints);
  return NICE_BUCKETS.find((b) => b >= minimum) ?? Math.ceil(minimum / 86400) * 86400;
}

export interface SeriesQuery {
  deviceId: string;
  metric: string;
  from: Date;
  to?: Date;
  bucketSeconds?: number;
  /** At most this many buckets come back (the bucket widens to fit). */
  maxPoints?: number;
}

export interface TelemetrySeries {
  deviceId: string;
  metric: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
  points: SeriesBucket[];
}

/** A metric's time series for one device, downsampled on the server. */
export async function getTelemetrySeries(deps: TelemetryQueryDeps, actor: Actor | null, q: SeriesQuery): Promise<TelemetrySeries> {
  requireRole(actor, 'VIEWER');
  if (!METRIC_NAME.test(q.metric)) throw new ValidationError('metric names are lower snake case, e.g. cpu', 'metric');
  const to = q.to ?? deps.now?.() ?? new Date();
  if (Number.isNaN(q.from.getTime()) || Number.isNaN(to.getTime())) throw new ValidationError('invalid date', 'from');
  if (q.from >= to) throw new ValidationError('from must be before to', 'from');
  if (q.bucketSeconds !== undefined && !(q.bucketSeconds >= 1)) throw new ValidationError('bucket must be at least 1 second', 'bucketSeconds');
  const maxPoints = Math.min(Math.max(q.maxPoints ?? 500, 1), 5000);
  const exists = await deps.db.device.count({ where: { id: q.deviceId } });
  if (!exists) throw new NotFoundError('device', q.deviceId);
  const bucketSeconds = chooseBucketSeconds((to.getTime() - q.from.getTime()) / 1000, maxPoints, q.bucketSeconds);
  const points = await telemetrySeries(deps.sql, { deviceId: q.deviceId, metric: q.metric, from: q.from, to, bucketSeconds });
  return { deviceId: q.deviceId, metric: q.metric, from: q.from, to, bucketSeconds, points };
}

export type { FleetLiveness };

/** Online / offline / never-seen device counts, for the fleet or one segment or site. */
export async function getFleetLiveness(
  deps: TelemetryQueryDeps,
  actor: Actor | null,
  filter: { segmentId?: string; siteId?: string } = {},
): Promise<FleetLiveness> {
  requireRole(actor, 'VIEWER');
  return fleetLivenessCounts(deps.sql, filter);
}

export interface DeviceContactView {
  peerIp: string;
  port: number;
  protocol: string;
  outbound: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date;
  bytes: number;
  packets: number;
  count: number;
  /** The Warden device at that address, when the peer is one of ours. */
  peerDevice: Device | null;
}

/** Who a device talked to, most recent first. */
export async function listDeviceContacts(
  deps: TelemetryQueryDeps,
  actor: Actor | null,
  q: { deviceId: string; since?: Date; first?: number },
): Promise<DeviceContactView[]> {
  requireRole(actor, 'VIEWER');
  const take = Math.min(Math.max(q.first ?? 100, 1), 1000);
  const rows = await deps.db.deviceContact.findMany({
    where: { deviceId: q.deviceId, ...(q.since ? { lastSeenAt: { gte: q.since } } : {}) },
    orderBy: [{ lastSeenAt: 'desc' }, { peerIp: 'asc' }, { port: 'asc' }],
    take,
  });
  // One query for every peer that is a Warden device (not one per contact).
  const peers = rows.length ? await deps.db.device.findMany({ where: { ip: { in: [...new Set(rows.map((r) => r.peerIp))] } } }) : [];
  const byIp = new Map(peers.map((p) => [p.ip, p]));
  return rows.map((r) => ({
    peerIp: r.peerIp,
    port: r.port,
    protocol: r.protocol,
    outbound: r.outbound,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    bytes: Number(r.bytes),
    packets: Number(r.packets),
    count: Number(r.count),
    peerDevice: byIp.get(r.peerIp) ?? null,
  }));
}

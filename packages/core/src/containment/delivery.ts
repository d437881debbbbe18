import type { Containment, Prisma } from '@warden/db';
import { containmentEventSchema, type ContainmentEventV1, type DeviceContainmentState } from '@warden/contracts/incidents';
import { now } from '../context.js';
import type { ContainmentDeps } from './deps.js';
import { containmentEvent, deviceContainmentState, type ContainmentFacts, type DeviceAddress } from './events.js';
import { evictDeviceAuth, publishContainmentLive } from './live.js';
import { ACTIVE_STATUSES, type Touched } from './plan.js';
import { expireContainments } from './release.js';

/** Where delivery sends a containment: the Kafka topic and the devices' retained MQTT state. */
export interface ContainmentOutlets {
  /** Produces to `warden.containment.v1`, keyed by target; resolves once Kafka has them. */
  events: { publish(records: { key: string; event: ContainmentEventV1 }[]): Promise<void> };
  /** Publishes each state, retained, at QoS 1 on its device's topic; resolves once the broker has them. */
  devices?: { publish(states: DeviceContainmentState[]): Promise<void> };
}

export interface DeliveryDeps extends ContainmentDeps {
  managementAllow: { host: string; port: number }[];
}

type Tx = Prisma.TransactionClient;

const facts = (c: Containment): ContainmentFacts => ({ ...c, touched: c.touched });

/** Retained states of `deviceIds`, computed from the containments in force now. */
async function deviceStates(tx: Tx, deviceIds: string[], managementAllow: DeliveryDeps['managementAllow'], at: Date): Promise<DeviceContainmentState[]> {
  if (!deviceIds.length) return [];
  const devices = await tx.device.findMany({ where: { id: { in: deviceIds } }, select: { id: true, controllerId: true, segmentId: true } });
  const segments = [...new Set(devices.map((d) => d.segmentId).filter((s): s is string => !!s))];
  const active = await tx.containment.findMany({
    where: {
      status: { in: [...ACTIVE_STATUSES] },
      OR: [{ deviceId: { in: deviceIds } }, ...(segments.length ? [{ kind: 'ISOLATE_SEGMENT' as const, segmentId: { in: segments } }] : [])],
    },
  });
  // Each device sees only its own containments and its segment's.
  const byTarget = new Map<string, ContainmentFacts[]>();
  for (const c of active) {
    const key = c.deviceId ? `d:${c.deviceId}` : `s:${c.segmentId}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), facts(c)]);
  }
  return devices.map((d) =>
    deviceContainmentState(d, [...(byTarget.get(`d:${d.id}`) ?? []), ...(d.segmentId ? (byTarget.get(`s:${d.segmentId}`) ?? []) : [])], managementAllow, at),
  );
}

/** Lock buckets for device states: at most this many advisory locks per delivery, whatever the segment's size. */
const STATE_LOCK_BUCKETS = 64;

/**
 * Serialises the retained states of these devices across deliverers, until the transaction ends:
 * a delivery that read a device's containments waits for one that read them earlier to publish
 * first, so an older state never lands after a newer one. Devices share buckets (bounded locks,
 * taken in order, so two deliveries never wait on each other in a cycle).
 */
async function lockDeviceStates(tx: Prisma.TransactionClient, deviceIds: string[]): Promise<void> {
  if (!deviceIds.length) return;
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(hashtext('warden:containment-device-state'), b)
    FROM (SELECT DISTINCT abs(hashtext(id) % ${STATE_LOCK_BUCKETS}) AS b FROM unnest(${deviceIds}::text[]) AS id) buckets
    ORDER BY b`;
}

/**
 * Delivers the containments among `ids` whose latest change is not delivered yet (the outbox):
 * publishes their `warden.containment.v1` events, the retained MQTT state of every device they
 * touch, and a gateway auth-cache eviction; then marks them delivered (PENDING/FAILED → APPLIED).
 * Rows are locked (SKIP LOCKED) for the whole delivery, so two deliverers never publish the same
 * version; a crash before the mark publishes it again (at least once: connectors dedupe by
 * containmentId and version). Returns how many were delivered.
 */
export async function deliverContainments(deps: DeliveryDeps, outlets: ContainmentOutlets, ids: string[]): Promise<number> {
  const delivered = await deps.db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM containments
        WHERE id = ANY(${ids}::uuid[]) AND delivered_version < version AND status <> 'SKIPPED'
        ORDER BY id FOR UPDATE SKIP LOCKED`;
      if (!locked.length) return [];
      const rows = await tx.containment.findMany({ where: { id: { in: locked.map((l) => l.id) } }, orderBy: { id: 'asc' } });
      const at = now(deps);
      const deviceIds = [...new Set(rows.flatMap((r) => (r.deviceId ? [r.deviceId] : [])))];
      const segmentIds = [...new Set(rows.flatMap((r) => (r.segmentId ? [r.segmentId] : [])))];
      const exemptIds = rows.flatMap((r) => (r.kind === 'ISOLATE_SEGMENT' ? ((r.touched as unknown as Extract<Touched, { kind: 'ISOLATE_SEGMENT' }>).exemptDeviceIds ?? []) : []));
      const addrRows = await tx.$queryRaw<{ id: string; ip: string | null; mac: string | null }[]>`
        SELECT id::text, host(ip) AS ip, mac FROM devices WHERE id = ANY(${[...deviceIds, ...exemptIds]}::uuid[])`;
      const addr = new Map<string, DeviceAddress>(addrRows.map((a) => [a.id, a]));
      const segs = new Map((await tx.segment.findMany({ where: { id: { in: segmentIds } }, select: { id: true, cidr: true, vlan: true } })).map((s) => [s.id, s]));
      const records: { key: string; event: ContainmentEventV1 }[] = [];
      for (const r of rows) {
        const exempt = r.kind === 'ISOLATE_SEGMENT' ? ((r.touched as unknown as Extract<Touched, { kind: 'ISOLATE_SEGMENT' }>).exemptDeviceIds ?? []).map((id) => addr.get(id) ?? { id, ip: null, mac: null }) : [];
        const event = containmentEvent(facts(r), {
          ...(r.deviceId && addr.get(r.deviceId) ? { device: addr.get(r.deviceId)! } : {}),
          ...(r.segmentId && segs.get(r.segmentId) ? { segment: segs.get(r.segmentId)! } : {}),
          exempt,
          managementAllow: deps.managementAllow,
          at,
        });
        // Never hand connectors an event they would refuse: a bad one fails the delivery instead (FAILED, with the reason).
        if (event) records.push({ key: r.targetKey, event: containmentEventSchema.parse(event) });
      }
      // Device states first: they are whole states, so publishing one again is harmless, while a
      // Kafka event published again is a duplicate for the connectors to drop.
      if (outlets.devices) {
        // Devices on an isolated (or released) segment learn of it too.
        const members = segmentIds.length ? await tx.device.findMany({ where: { segmentId: { in: segmentIds }, status: { not: 'RETIRED' } }, select: { id: true } }) : [];
        const stateIds = [...new Set([...deviceIds, ...members.map((m) => m.id)])];
        await lockDeviceStates(tx, stateIds);
        const states = await deviceStates(tx, stateIds, deps.managementAllow, at);
        await outlets.devices.publish(states);
      }
      await outlets.events.publish(records);
      await tx.$executeRaw`
        UPDATE containments c SET delivered_version = v.version,
          status = CASE WHEN c.status IN ('PENDING', 'FAILED') THEN 'APPLIED'::"ContainmentStatus" ELSE c.status END,
          applied_at = CASE WHEN c.status IN ('PENDING', 'FAILED') THEN ${at} ELSE c.applied_at END,
          error = NULL, updated_at = ${at}
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.version)}::int[]) AS v(id, version)
        WHERE c.id = v.id AND c.version = v.version`;
      return rows;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  if (delivered.length && deps.pubsub) {
    const evict = delivered.flatMap((r) => (r.deviceId ? [r.deviceId] : []));
    try {
      if (evict.length) await evictDeviceAuth(deps.pubsub, deps.redisPrefix, evict);
      const applied = delivered.filter((r) => r.status === 'PENDING' || r.status === 'FAILED').map((r) => r.id);
      if (applied.length) await publishContainmentLive(deps.pubsub, deps.redisPrefix, [{ type: 'CONTAINMENT', containmentIds: applied, change: 'APPLIED', actor: 'system:containment' }]);
    } catch {
      /* best effort: the change is delivered and recorded */
    }
  }
  return delivered.length;
}

/**
 * Marks undelivered containments FAILED with the reason once delivery gave up (retries spent).
 * They stay in force in Warden, and the sweep keeps trying to deliver them.
 */
export async function markDeliveryFailed(deps: ContainmentDeps, ids: string[], error: string): Promise<number> {
  const n = await deps.db.$executeRaw`
    UPDATE containments SET status = CASE WHEN status = 'PENDING' THEN 'FAILED'::"ContainmentStatus" ELSE status END,
      error = ${error.slice(0, 2000)}, updated_at = now()
    WHERE id = ANY(${ids}::uuid[]) AND delivered_version < version AND status <> 'SKIPPED'`;
  if (n && deps.pubsub) {
    await publishContainmentLive(deps.pubsub, deps.redisPrefix, [{ type: 'CONTAINMENT', containmentIds: ids, change: 'FAILED', actor: 'system:containment' }]).catch(() => {});
  }
  return n;
}

export interface SweepResult {
  expired: number;
  /** Batches of undelivered containment ids to deliver (at most 1000 each). */
  undelivered: string[][];
}

/**
 * The safety net (the worker runs it at start and on a timer): releases every containment whose
 * expiry passed (a lost or early delayed job), and lists those still undelivered — by a crash
 * after commit, a queue outage or a failed delivery — for the caller to queue again. Changes newer
 * than `graceMs` are left to the job already queued for them.
 */
export async function sweepContainments(deps: ContainmentDeps, opts: { graceMs?: number } = {}): Promise<SweepResult> {
  const at = now(deps);
  const due = await deps.db.containment.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] }, expiresAt: { lte: at } },
    select: { requestId: true },
    distinct: ['requestId'],
    take: 1000,
  });
  let expired = 0;
  for (const d of due) expired += (await expireContainments(deps, d.requestId)).length;
  const undelivered = await deps.db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM containments
    WHERE delivered_version < version AND status <> 'SKIPPED' AND updated_at <= ${new Date(at.getTime() - (opts.graceMs ?? 5_000))}
    ORDER BY updated_at LIMIT 10000`;
  const ids = undelivered.map((u) => u.id);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 1000) batches.push(ids.slice(i, i + 1000));
  return { expired, undelivered: batches };
}

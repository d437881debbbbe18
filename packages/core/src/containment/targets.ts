import { randomUUID } from 'node:crypto';
import type { Prisma } from '@warden/db';
import { containmentTargetKey } from '@warden/contracts/incidents';
import { requireRole, type Actor } from '../auth/roles.js';
import { NotFoundError } from '../errors.js';
import type { ContainmentDeps } from './deps.js';
import { ACTIVE_STATUSES, planDevices, planSegmentIsolation, type ContainmentKind, type PlanDevice, type Skip, type Touched } from './plan.js';
import { parseRequest, type ContainmentRequest, type Parsed } from './request-input.js';

type Tx = Prisma.TransactionClient;

/** A device of a request, as planning and applying need it. */
export interface DeviceRow {
  id: string;
  serial: string;
  controller_id: string;
  status: PlanDevice['status'];
  fail_safe: boolean;
  segment_id: string | null;
  active_credentials: number;
}

/** Loads (and with `lock`, locks in id order) the devices of a request; unknown ids are NOT_FOUND. */
async function loadDevices(tx: Tx, ids: string[], lock: boolean): Promise<DeviceRow[]> {
  const rows = lock
    ? await tx.$queryRaw<DeviceRow[]>`
        SELECT d.id::text, d.serial, d.controller_id, d.status::text AS status, d.fail_safe, d.segment_id::text,
               (SELECT count(*)::int FROM device_credentials c WHERE c.device_id = d.id AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())) AS active_credentials
        FROM devices d WHERE d.id = ANY(${ids}::uuid[]) ORDER BY d.id FOR UPDATE OF d`
    : await tx.$queryRaw<DeviceRow[]>`
        SELECT d.id::text, d.serial, d.controller_id, d.status::text AS status, d.fail_safe, d.segment_id::text,
               (SELECT count(*)::int FROM device_credentials c WHERE c.device_id = d.id AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())) AS active_credentials
        FROM devices d WHERE d.id = ANY(${ids}::uuid[])`;
  if (rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.id));
    throw new NotFoundError('device', ids.find((i) => !found.has(i))!);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

const toPlanDevice = (r: DeviceRow): PlanDevice => ({ id: r.id, serial: r.serial, status: r.status, failSafe: r.fail_safe, activeCredentials: r.active_credentials });

/** One row to write per target, before it is written. */
export interface Draft {
  id: string;
  deviceId: string | null;
  segmentId: string | null;
  destination: string | null;
  label: string;
  status: 'PENDING' | 'SKIPPED';
  touched: Touched | Record<string, never>;
  skipped: Skip[];
  coveredById: string | null;
}

/** What a request would do, computed from the database without changing it. */
export interface ContainmentPreview {
  kind: ContainmentKind;
  /** Targets it would contain: `device:<id>`, `segment:<id>` or `destination:<cidr>`, with a label. */
  apply: { target: string; label: string; deviceId: string | null }[];
  skipped: Skip[];
}

/**
 * Loads a request's targets (locking them with `lock`) and decides, per target, to contain it or
 * leave it alone and why.
 */
export async function planTargets(tx: Tx, p: Parsed, lock: boolean): Promise<{ drafts: Draft[]; devices: Map<string, DeviceRow> }> {
  const devices = new Map<string, DeviceRow>();
  if (p.kind === 'ISOLATE_SEGMENT') {
    const [segment] = lock
      ? await tx.$queryRaw<{ id: string; name: string; cidr: string; vlan: number | null }[]>`SELECT id::text, name, cidr, vlan FROM segments WHERE id = ${p.segmentId}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ id: string; name: string; cidr: string; vlan: number | null }[]>`SELECT id::text, name, cidr, vlan FROM segments WHERE id = ${p.segmentId}::uuid`;
    if (!segment) throw new NotFoundError('segment', p.segmentId!);
    const members = await tx.device.findMany({ where: { segmentId: segment.id, status: { not: 'RETIRED' } }, select: { id: true, serial: true, status: true, failSafe: true }, orderBy: { serial: 'asc' } });
    const active = await tx.containment.findFirst({ where: { kind: 'ISOLATE_SEGMENT', segmentId: segment.id, status: { in: [...ACTIVE_STATUSES] } }, select: { id: true } });
    const sp = planSegmentIsolation(segment, members, { overrideFailSafe: p.overrideFailSafe, activeId: active?.id ?? null });
    const touched: Touched = { kind: 'ISOLATE_SEGMENT', cidr: segment.cidr, vlan: segment.vlan, deviceCount: members.length - sp.exempt.length, exemptDeviceIds: sp.exempt.map((d) => d.id) };
    return {
      devices,
      drafts: [
        {
          id: randomUUID(),
          deviceId: null,
          segmentId: segment.id,
          destination: null,
          label: `segment ${segment.name}`,
          status: sp.apply ? 'PENDING' : 'SKIPPED',
          touched: sp.apply ? touched : {},
          skipped: sp.skip,
          coveredById: sp.coveredById ?? null,
        },
      ],
    };
  }
  if (p.kind === 'BLOCK_DESTINATION') {
    if (lock) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`containment:destination:${p.destination}`}))`;
    const active = await tx.containment.findFirst({ where: { kind: 'BLOCK_DESTINATION', destination: p.destination, status: { in: [...ACTIVE_STATUSES] } }, select: { id: true } });
    const skipped: Skip[] = active
      ? [{ deviceId: null, serial: null, reason: 'ALREADY_CONTAINED', message: `${p.destination} is already blocked by containment ${active.id}`, coveredById: active.id }]
      : [];
    return {
      devices,
      drafts: [
        {
          id: randomUUID(),
          deviceId: null,
          segmentId: null,
          destination: p.destination,
          label: p.destination!,
          status: active ? 'SKIPPED' : 'PENDING',
          touched: active ? {} : { kind: 'BLOCK_DESTINATION', destination: p.destination! },
          skipped,
          coveredById: active?.id ?? null,
        },
      ],
    };
  }
  const kind = p.kind;
  const rows = await loadDevices(tx, p.deviceIds, lock);
  for (const r of rows) devices.set(r.id, r);
  const active = await tx.containment.findMany({
    where: { kind, deviceId: { in: p.deviceIds }, status: { in: [...ACTIVE_STATUSES] } },
    select: { id: true, deviceId: true },
    orderBy: { createdAt: 'asc' },
  });
  const activeByDevice = new Map<string, string>();
  for (const a of active) if (a.deviceId && !activeByDevice.has(a.deviceId)) activeByDevice.set(a.deviceId, a.id);
  const dp = planDevices(kind, rows.map(toPlanDevice), { overrideFailSafe: p.overrideFailSafe, activeByDevice });
  const drafts: Draft[] = [
    ...dp.apply.map((d): Draft => ({
      id: randomUUID(),
      deviceId: d.id,
      segmentId: null,
      destination: null,
      label: d.serial,
      status: 'PENDING',
      // Filled in when the effect is applied (previous status, credential ids).
      touched: kind === 'QUARANTINE_DEVICES' ? { kind, previousStatus: d.status } : {},
      skipped: [],
      coveredById: null,
    })),
    ...dp.skip.map((s): Draft => ({
      id: randomUUID(),
      deviceId: s.deviceId,
      segmentId: null,
      destination: null,
      label: s.serial ?? '',
      status: 'SKIPPED',
      touched: {},
      skipped: [s],
      coveredById: s.coveredById ?? null,
    })),
  ];
  return { drafts, devices };
}

export const managementHosts = (deps: ContainmentDeps) => (deps.managementAllow ?? []).map((m) => m.host);

/**
 * What {@link requestContainment} would do now — which targets it would contain and which it
 * would leave alone, and why — without changing anything (RESPONDER). For dry runs.
 */
export async function previewContainment(deps: ContainmentDeps, actor: Actor, input: ContainmentRequest): Promise<ContainmentPreview> {
  requireRole(actor, 'RESPONDER');
  const p = parseRequest(input, managementHosts(deps));
  const { drafts } = await planTargets(deps.db as unknown as Tx, p, false);
  return {
    kind: p.kind,
    apply: drafts.filter((d) => d.status === 'PENDING').map((d) => ({ target: containmentTargetKey(d), label: d.label, deviceId: d.deviceId })),
    skipped: drafts.flatMap((d) => d.skipped),
  };
}

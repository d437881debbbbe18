import type { ContainmentEventV1, DeviceContainmentState } from '@warden/contracts/incidents';
import type { ContainmentKind, ContainmentStatus, Touched } from './plan.js';

/** A containment as delivery sees it (a row of `containments`). */
export interface ContainmentFacts {
  id: string;
  kind: ContainmentKind;
  status: ContainmentStatus;
  version: number;
  deviceId: string | null;
  segmentId: string | null;
  destination: string | null;
  actor: string;
  reason: string;
  incidentId: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  touched: unknown;
  /** `device:<id>`, `segment:<id>` or `destination:<cidr>` (kept when the device or segment row is gone). */
  targetKey?: string;
}

export interface DeviceAddress {
  id: string;
  ip: string | null;
  mac: string | null;
}

type Endpoint = { host: string; port: number };

/**
 * The `warden.containment.v1` event for a containment's current version: APPLIED while in force,
 * RELEASED once released or expired. Null for a SKIPPED one (nothing to enforce).
 */
export function containmentEvent(
  c: ContainmentFacts,
  ctx: { device?: DeviceAddress; segment?: { cidr: string; vlan: number | null }; exempt?: DeviceAddress[]; managementAllow: Endpoint[]; at: Date },
): ContainmentEventV1 | null {
  if (c.status === 'SKIPPED') return null;
  // A deleted device or segment leaves its id in the target key: connectors still get to release it.
  const [keyKind, keyId] = (c.targetKey ?? '').split(/:(.*)/s) as [string, string | undefined];
  const deviceId = c.deviceId ?? (keyKind === 'device' ? keyId : undefined);
  const segmentId = c.segmentId ?? (keyKind === 'segment' ? keyId : undefined);
  let target: ContainmentEventV1['target'];
  if (deviceId) target = { kind: 'DEVICES', devices: [ctx.device ?? { id: deviceId, ip: null, mac: null }] };
  else if (segmentId) {
    const t = c.touched as Extract<Touched, { kind: 'ISOLATE_SEGMENT' }>;
    target = {
      kind: 'SEGMENT',
      segmentId,
      cidr: ctx.segment?.cidr ?? t.cidr,
      vlan: ctx.segment?.vlan ?? t.vlan ?? null,
      ...(ctx.exempt?.length ? { exempt: ctx.exempt } : {}),
    };
  } else target = { kind: 'DESTINATION', destination: c.destination ?? keyId ?? '' };
  return {
    containmentId: c.id,
    version: c.version,
    action: c.kind,
    status: c.status === 'RELEASED' || c.status === 'EXPIRED' ? 'RELEASED' : 'APPLIED',
    target,
    actor: c.actor,
    reason: c.status === 'EXPIRED' ? `expired: ${c.reason}` : c.reason,
    incidentId: c.incidentId,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    managementAllow: ctx.managementAllow,
    at: ctx.at.toISOString(),
  };
}

/**
 * A device's whole containment state for its retained MQTT message, from the containments in force
 * on it: its own (quarantine, credentials) and its segment's isolation unless it is exempt.
 */
export function deviceContainmentState(
  device: { id: string; controllerId: string; segmentId: string | null },
  active: ContainmentFacts[],
  managementAllow: Endpoint[],
  at: Date,
): DeviceContainmentState {
  const applies = active
    .filter((c) => {
      if (c.deviceId) return c.deviceId === device.id;
      if (c.kind === 'ISOLATE_SEGMENT' && c.segmentId && c.segmentId === device.segmentId) {
        const exempt = (c.touched as Extract<Touched, { kind: 'ISOLATE_SEGMENT' }>).exemptDeviceIds ?? [];
        return !exempt.includes(device.id);
      }
      return false;
    })
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return {
    deviceId: device.id,
    controllerId: device.controllerId,
    quarantined: applies.some((c) => c.kind === 'QUARANTINE_DEVICES'),
    segmentIsolated: applies.some((c) => c.kind === 'ISOLATE_SEGMENT'),
    credentialsRevoked: applies.some((c) => c.kind === 'REVOKE_CREDENTIALS'),
    containments: applies.map((c) => ({
      containmentId: c.id,
      action: c.kind,
      since: c.createdAt.toISOString(),
      expiresAt: c.expiresAt?.toISOString() ?? null,
      reason: c.reason,
    })),
    managementAllow,
    at: at.toISOString(),
  };
}

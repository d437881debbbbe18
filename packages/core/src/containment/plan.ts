import ipaddr from 'ipaddr.js';
import { parseCidr, parseIp } from '../detection/ip.js';

/**
 * Containment planning: which targets a request touches, which it leaves alone and why, what an
 * undo restores, and when an incident counts as contained. Plain data in, plain data out.
 */

export const CONTAINMENT_KINDS = ['QUARANTINE_DEVICES', 'ISOLATE_SEGMENT', 'BLOCK_DESTINATION', 'ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS'] as const;
export type ContainmentKind = (typeof CONTAINMENT_KINDS)[number];

export const CONTAINMENT_STATUSES = ['PENDING', 'APPLIED', 'RELEASED', 'EXPIRED', 'FAILED', 'SKIPPED'] as const;
export type ContainmentStatus = (typeof CONTAINMENT_STATUSES)[number];

/** Statuses in which a containment is in force (FAILED: in force in Warden, delivery still retried). */
export const ACTIVE_STATUSES = ['PENDING', 'APPLIED', 'FAILED'] as const satisfies readonly ContainmentStatus[];
export const isActive = (s: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(s);

/** Kinds that cut a device off from the network: fail-safe devices need an override for these. */
export const CUTS_OFF: ReadonlySet<ContainmentKind> = new Set(['QUARANTINE_DEVICES', 'ISOLATE_SEGMENT']);
/** Kinds whose targets are devices, one containment per device. */
export const PER_DEVICE: ReadonlySet<ContainmentKind> = new Set(['QUARANTINE_DEVICES', 'ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS']);

export type SkipReason = 'FAIL_SAFE' | 'ALREADY_CONTAINED' | 'RETIRED' | 'NO_CREDENTIALS';

/** What planning needs to know of a device. */
export interface PlanDevice {
  id: string;
  serial: string;
  status: 'PROVISIONING' | 'ACTIVE' | 'QUARANTINED' | 'RETIRED';
  failSafe: boolean;
  /** Active credentials (for REVOKE: nothing to revoke without one). */
  activeCredentials?: number;
}

/** A target a request left alone. */
export interface Skip {
  deviceId: string | null;
  serial: string | null;
  reason: SkipReason;
  message: string;
  /** The containment already in force on the target (ALREADY_CONTAINED). */
  coveredById?: string;
}

export interface DevicePlan {
  apply: PlanDevice[];
  skip: Skip[];
}

const skip = (d: PlanDevice, reason: SkipReason, message: string, coveredById?: string): Skip => ({
  deviceId: d.id,
  serial: d.serial,
  reason,
  message,
  ...(coveredById ? { coveredById } : {}),
});

/**
 * Per-device kinds (quarantine, rotate, revoke): devices in the given order, each applied or
 * skipped with the reason. Retired devices are skipped. Fail-safe devices are skipped from a
 * quarantine unless `overrideFailSafe`; credential changes do not cut a device off the network, so
 * fail-safe does not hold them back. A device already under an active containment of the same kind
 * is skipped as covered by it (rotation excepted: rotating again issues fresh tokens).
 */
export function planDevices(
  kind: 'QUARANTINE_DEVICES' | 'ROTATE_CREDENTIALS' | 'REVOKE_CREDENTIALS',
  devices: PlanDevice[],
  opts: { overrideFailSafe: boolean; activeByDevice: ReadonlyMap<string, string> },
): DevicePlan {
  const plan: DevicePlan = { apply: [], skip: [] };
  for (const d of devices) {
    const covering = opts.activeByDevice.get(d.id);
    if (d.status === 'RETIRED') plan.skip.push(skip(d, 'RETIRED', `${d.serial} is retired`));
    else if (kind === 'QUARANTINE_DEVICES' && d.failSafe && !opts.overrideFailSafe) {
      plan.skip.push(skip(d, 'FAIL_SAFE', `${d.serial} is fail-safe: quarantining it needs overrideFailSafe`));
    } else if (covering && kind !== 'ROTATE_CREDENTIALS') {
      plan.skip.push(skip(d, 'ALREADY_CONTAINED', `${d.serial} is already ${kind === 'QUARANTINE_DEVICES' ? 'quarantined' : 'revoked'} by containment ${covering}`, covering));
    } else if (kind === 'REVOKE_CREDENTIALS' && d.activeCredentials === 0) {
      plan.skip.push(skip(d, 'NO_CREDENTIALS', `${d.serial} has no active credentials`));
    } else plan.apply.push(d);
  }
  return plan;
}

export interface SegmentPlan {
  /** False when an isolation of the segment is already in force (`coveredById`). */
  apply: boolean;
  coveredById?: string;
  /** Fail-safe devices the isolation leaves connected (no override given). */
  exempt: PlanDevice[];
  /** The same, as skips to report. */
  skip: Skip[];
}

/** Isolating a segment: its fail-safe devices stay connected unless `overrideFailSafe`. */
export function planSegmentIsolation(
  segment: { id: string; name: string },
  devices: PlanDevice[],
  opts: { overrideFailSafe: boolean; activeId: string | null },
): SegmentPlan {
  if (opts.activeId) {
    return {
      apply: false,
      coveredById: opts.activeId,
      exempt: [],
      skip: [{ deviceId: null, serial: null, reason: 'ALREADY_CONTAINED', message: `segment ${segment.name} is already isolated by containment ${opts.activeId}`, coveredById: opts.activeId }],
    };
  }
  const exempt = opts.overrideFailSafe ? [] : devices.filter((d) => d.failSafe && d.status !== 'RETIRED');
  return {
    apply: true,
    exempt,
    skip: exempt.map((d) => skip(d, 'FAIL_SAFE', `${d.serial} is fail-safe: it stays connected (isolating it needs overrideFailSafe)`)),
  };
}

/** Why a destination cannot be blocked, or its canonical CIDR. */
export type DestinationCheck = { ok: true; cidr: string } | { ok: false; message: string };

/**
 * Validates and canonicalises a destination to block: an IP (→ /32 or /128) or a CIDR whose host
 * bits are zero. Refuses blocks wider than /8 (IPv4) or /16 (IPv6), and any that would cover a
 * management endpoint (`managementHosts`), since contained devices must keep that channel.
 */
export function checkDestination(raw: string, managementHosts: readonly string[] = []): DestinationCheck {
  const text = raw.trim();
  const c = parseCidr(text);
  if (!c) return { ok: false, message: `${text.slice(0, 100)} is not an IP address or a CIDR` };
  const v4 = c.addr.kind() === 'ipv4';
  const bytes = c.addr.toByteArray();
  const network = bytes.map((b, i) => {
    const bitsHere = Math.max(0, Math.min(8, c.bits - i * 8));
    return b & ((0xff << (8 - bitsHere)) & 0xff);
  });
  const net = ipaddr.fromByteArray(network).toString();
  if (net !== c.addr.toString()) return { ok: false, message: `${text} has host bits set; did you mean ${net}/${c.bits}?` };
  if (c.bits < (v4 ? 8 : 16)) return { ok: false, message: `${text} is too wide to block (at most a /${v4 ? 8 : 16})` };
  for (const host of managementHosts) {
    const ip = parseIp(host);
    if (ip && ip.kind() === c.addr.kind() && (ip as ipaddr.IPv4).match(c.addr as ipaddr.IPv4, c.bits)) {
      return { ok: false, message: `${text} covers ${host}, the devices' management channel` };
    }
  }
  return { ok: true, cidr: `${net}/${c.bits}` };
}

/** What applying changed, kept on the containment so an undo can restore it. */
export type Touched =
  | { kind: 'QUARANTINE_DEVICES'; previousStatus: PlanDevice['status'] }
  | { kind: 'ISOLATE_SEGMENT'; cidr: string; vlan: number | null; deviceCount: number; exemptDeviceIds: string[] }
  | { kind: 'BLOCK_DESTINATION'; destination: string }
  | { kind: 'ROTATE_CREDENTIALS'; revokedCredentialIds: string[]; issuedCredentialIds: string[] }
  | { kind: 'REVOKE_CREDENTIALS'; revokedCredentialIds: string[] };

export type UndoStep =
  | { type: 'RESTORE_STATUS'; deviceId: string; to: PlanDevice['status'] }
  | { type: 'KEEP_STATUS'; deviceId: string; why: string }
  | { type: 'REINSTATE_CREDENTIALS'; credentialIds: string[] }
  | { type: 'REVOKE_CREDENTIALS'; credentialIds: string[] }
  | { type: 'KEEP_CREDENTIALS'; why: string }
  | { type: 'LIFT_NETWORK_BLOCK'; target: string };

/** What else is true of the target when a containment is released. */
export interface UndoFacts {
  deviceId: string | null;
  /** The device's status now. */
  currentStatus?: PlanDevice['status'] | null;
  /** Another active quarantine of the same device (it stays quarantined). */
  otherQuarantineId?: string | null;
  /** A later credential containment of the same device (its tokens changed since). */
  laterCredentialChangeId?: string | null;
}

/**
 * What releasing a containment does. A quarantined device gets back the status it had, unless
 * another quarantine still holds it or it was retired meanwhile. Revoked credentials are
 * reinstated (and a rotation's new ones revoked) unless the device's credentials changed again
 * since; a false positive thus costs no re-provisioning. Network blocks are lifted by the
 * connectors when they see the RELEASED event.
 */
export function planUndo(touched: Touched, facts: UndoFacts): UndoStep[] {
  switch (touched.kind) {
    case 'QUARANTINE_DEVICES': {
      const deviceId = facts.deviceId!;
      if (facts.otherQuarantineId) return [{ type: 'KEEP_STATUS', deviceId, why: `still quarantined by containment ${facts.otherQuarantineId}` }];
      if (facts.currentStatus !== 'QUARANTINED') return [{ type: 'KEEP_STATUS', deviceId, why: `the device is ${facts.currentStatus ?? 'gone'} now` }];
      return [{ type: 'RESTORE_STATUS', deviceId, to: touched.previousStatus }, { type: 'LIFT_NETWORK_BLOCK', target: `device:${deviceId}` }];
    }
    case 'ISOLATE_SEGMENT':
      return [{ type: 'LIFT_NETWORK_BLOCK', target: `segment ${touched.cidr}` }];
    case 'BLOCK_DESTINATION':
      return [{ type: 'LIFT_NETWORK_BLOCK', target: `destination ${touched.destination}` }];
    case 'ROTATE_CREDENTIALS':
    case 'REVOKE_CREDENTIALS': {
      if (facts.currentStatus === 'RETIRED') return [{ type: 'KEEP_CREDENTIALS', why: 'the device is retired' }];
      if (facts.laterCredentialChangeId) return [{ type: 'KEEP_CREDENTIALS', why: `its credentials changed since (containment ${facts.laterCredentialChangeId})` }];
      const steps: UndoStep[] = [];
      if (touched.revokedCredentialIds.length) steps.push({ type: 'REINSTATE_CREDENTIALS', credentialIds: touched.revokedCredentialIds });
      if (touched.kind === 'ROTATE_CREDENTIALS' && touched.issuedCredentialIds.length) steps.push({ type: 'REVOKE_CREDENTIALS', credentialIds: touched.issuedCredentialIds });
      return steps.length ? steps : [{ type: 'KEEP_CREDENTIALS', why: 'nothing was revoked' }];
    }
  }
}

/** The network containments in force, as far as an incident's devices are concerned. */
export interface ContainedFacts {
  quarantined: ReadonlySet<string>;
  /** Isolated segment id → fail-safe devices it left connected. */
  isolatedSegments: ReadonlyMap<string, ReadonlySet<string>>;
  /** Device id → its segment id. */
  segmentOf: ReadonlyMap<string, string | null>;
}

/**
 * Whether every device of an incident is cut off: quarantined, or on an isolated segment and not
 * exempt from it. An incident without devices is contained when its segment is isolated.
 */
export function incidentContainment(incident: { deviceIds: readonly string[]; segmentId: string | null }, facts: ContainedFacts): { contained: boolean; uncontained: string[] } {
  if (!incident.deviceIds.length) {
    const contained = incident.segmentId !== null && facts.isolatedSegments.has(incident.segmentId);
    return { contained, uncontained: [] };
  }
  const uncontained = incident.deviceIds.filter((id) => {
    if (facts.quarantined.has(id)) return false;
    const seg = facts.segmentOf.get(id);
    const exempt = seg ? facts.isolatedSegments.get(seg) : undefined;
    return !(exempt && !exempt.has(id));
  });
  return { contained: uncontained.length === 0, uncontained };
}

/** The lifecycle moves that take an incident to CONTAINED; only forward, from OPEN or TRIAGED. */
export function stepsToContained(status: string): ('TRIAGED' | 'CONTAINED')[] {
  if (status === 'OPEN') return ['TRIAGED', 'CONTAINED'];
  if (status === 'TRIAGED') return ['CONTAINED'];
  return [];
}

/** Verb of a kind in audit actions and timeline lines. */
export const KIND_VERB: Readonly<Record<ContainmentKind, { action: string; past: string }>> = {
  QUARANTINE_DEVICES: { action: 'containment.quarantine', past: 'quarantined' },
  ISOLATE_SEGMENT: { action: 'containment.isolate', past: 'isolated' },
  BLOCK_DESTINATION: { action: 'containment.block', past: 'blocked' },
  ROTATE_CREDENTIALS: { action: 'containment.rotate', past: 'rotated the credentials of' },
  REVOKE_CREDENTIALS: { action: 'containment.revoke', past: 'revoked the credentials of' },
};

/** One line for an incident's timeline about a containment request. */
export function requestSummary(kind: ContainmentKind, applied: string[], skipped: Skip[]): string {
  const verb = KIND_VERB[kind].past;
  const what = applied.length === 0 ? 'nothing' : applied.length <= 3 ? applied.join(', ') : `${applied.length} devices`;
  const counts = new Map<SkipReason, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const skips = [...counts].map(([r, n]) => `${n} ${r === 'FAIL_SAFE' ? 'fail-safe' : r === 'ALREADY_CONTAINED' ? 'already contained' : r === 'RETIRED' ? 'retired' : 'without credentials'}`);
  return `${verb} ${what}${skips.length ? ` (skipped: ${skips.join(', ')})` : ''}`;
}

import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { checkDestination, type ContainmentKind } from './plan.js';

/** At most this many devices per request. */
export const MAX_CONTAINMENT_DEVICES = 10_000;
/** Longest expiry a request may set (90 days). */
export const MAX_EXPIRY_SECONDS = 90 * 24 * 3600;

interface Common {
  /** Why; shown on the containment, the incident timeline, the audit log and the event. Required. */
  reason: string;
  /** Links the containment to an incident: timeline entries, and the move to CONTAINED. */
  incidentId?: string | null;
  /** Release automatically after this many seconds (not for ROTATE_CREDENTIALS). */
  expiresInSeconds?: number | null;
  /** Cut off fail-safe devices too (quarantine, segment isolation). */
  overrideFailSafe?: boolean | null;
  /**
   * Idempotency key (e.g. a playbook step's): a request repeated with the same key returns the
   * containments the first one recorded and changes nothing.
   */
  requestKey?: string | null;
}

/** One containment request. Device lists may hold up to {@link MAX_CONTAINMENT_DEVICES} ids. */
export type ContainmentRequest =
  | (Common & { kind: 'QUARANTINE_DEVICES'; deviceIds: string[] })
  | (Common & { kind: 'ISOLATE_SEGMENT'; segmentId: string })
  | (Common & { kind: 'BLOCK_DESTINATION'; destination: string })
  | (Common & { kind: 'ROTATE_CREDENTIALS'; deviceIds: string[] })
  | (Common & { kind: 'REVOKE_CREDENTIALS'; deviceIds: string[] });

const UUID = z.uuid();
const uuid = (v: string, field: string): string => {
  if (!UUID.safeParse(v).success) throw new ValidationError(`${field}: not an id`, field);
  return v;
};

/** A request, validated and canonicalised. */
export interface Parsed {
  kind: ContainmentKind;
  reason: string;
  incidentId: string | null;
  expiresInSeconds: number | null;
  overrideFailSafe: boolean;
  requestKey: string | null;
  deviceIds: string[];
  segmentId: string | null;
  destination: string | null;
}

/** Validates a request: clear errors naming the field (BAD_USER_INPUT). */
export function parseRequest(input: ContainmentRequest, managementHosts: string[]): Parsed {
  const reason = (input.reason ?? '').trim();
  if (!reason) throw new ValidationError('reason: say why (it goes to the audit log, the incident timeline and the connectors)', 'reason');
  if (reason.length > 2000) throw new ValidationError('reason: at most 2,000 characters', 'reason');
  const exp = input.expiresInSeconds ?? null;
  if (exp !== null) {
    if (!Number.isInteger(exp) || exp < 1 || exp > MAX_EXPIRY_SECONDS) throw new ValidationError(`expiresIn: whole seconds from 1 to ${MAX_EXPIRY_SECONDS}`, 'expiresIn');
    if (input.kind === 'ROTATE_CREDENTIALS') throw new ValidationError('expiresIn: a rotation is permanent (release it to undo); revoke for a while instead', 'expiresIn');
  }
  const key = input.requestKey?.trim() || null;
  if (key && key.length > 200) throw new ValidationError('requestKey: at most 200 characters', 'requestKey');
  const base = {
    kind: input.kind,
    reason,
    incidentId: input.incidentId ? uuid(input.incidentId, 'incidentId') : null,
    expiresInSeconds: exp,
    overrideFailSafe: input.overrideFailSafe === true,
    requestKey: key,
    deviceIds: [] as string[],
    segmentId: null,
    destination: null,
  };
  switch (input.kind) {
    case 'QUARANTINE_DEVICES':
    case 'ROTATE_CREDENTIALS':
    case 'REVOKE_CREDENTIALS': {
      const ids = [...new Set(input.deviceIds ?? [])];
      if (!ids.length) throw new ValidationError('deviceIds: give at least one device', 'deviceIds');
      if (ids.length > MAX_CONTAINMENT_DEVICES) throw new ValidationError(`deviceIds: at most ${MAX_CONTAINMENT_DEVICES} devices per request`, 'deviceIds');
      ids.forEach((id, i) => uuid(id, `deviceIds.${i}`));
      return { ...base, deviceIds: ids };
    }
    case 'ISOLATE_SEGMENT':
      return { ...base, segmentId: uuid(input.segmentId, 'segmentId') };
    case 'BLOCK_DESTINATION': {
      const c = checkDestination(String(input.destination ?? ''), managementHosts);
      if (!c.ok) throw new ValidationError(`destination: ${c.message}`, 'destination');
      return { ...base, destination: c.cidr };
    }
  }
}

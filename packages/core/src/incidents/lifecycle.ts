import { ConflictError, ValidationError } from '../errors.js';
import type { TimelineEntry } from './timeline.js';

/** NIST SP 800-61 phases as incident states. */
export const INCIDENT_STATUSES = ['OPEN', 'TRIAGED', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** How a closed incident ended. */
export const INCIDENT_RESOLUTIONS = ['RESOLVED', 'FALSE_POSITIVE', 'DUPLICATE', 'BENIGN'] as const;
export type IncidentResolution = (typeof INCIDENT_RESOLUTIONS)[number];

/**
 * Allowed moves. Forward through the phases; back one phase when the situation worsens (a
 * released containment, a reinfection after eradication or recovery); straight to CLOSED only
 * from OPEN or TRIAGED, for alerts that turn out not to be an incident; CLOSED may reopen.
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  OPEN: ['TRIAGED', 'CLOSED'],
  TRIAGED: ['CONTAINED', 'CLOSED'],
  CONTAINED: ['ERADICATED', 'TRIAGED'],
  ERADICATED: ['RECOVERED', 'CONTAINED'],
  RECOVERED: ['CLOSED', 'CONTAINED'],
  CLOSED: ['OPEN'],
};

const ORDER = (s: IncidentStatus) => INCIDENT_STATUSES.indexOf(s);

export function canTransitionIncident(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_TRANSITIONS[from].includes(to);
}

export interface TransitionRequest {
  to: IncidentStatus;
  actor: string;
  at: number;
  reason?: string | undefined;
  /** Required when closing; from OPEN/TRIAGED only a not-an-incident resolution is accepted. */
  resolution?: IncidentResolution | undefined;
}

export interface TransitionResult {
  status: IncidentStatus;
  resolution: IncidentResolution | null;
  entry: TimelineEntry;
}

/**
 * Moves an incident to a new status, or throws: `ConflictError` for a move the lifecycle does not
 * allow, `ValidationError` for a missing reason (going back, reopening) or a wrong resolution.
 */
export function transitionIncident(from: IncidentStatus, req: TransitionRequest): TransitionResult {
  const { to } = req;
  if (!canTransitionIncident(from, to)) {
    throw new ConflictError(`an incident cannot go from ${from} to ${to}; allowed: ${INCIDENT_TRANSITIONS[from].join(', ') || 'none'}`, {
      from,
      to,
      allowed: INCIDENT_TRANSITIONS[from],
    });
  }
  const backwards = from === 'CLOSED' || (to !== 'CLOSED' && ORDER(to) < ORDER(from));
  if (backwards && !req.reason?.trim()) throw new ValidationError(`going from ${from} back to ${to} needs a reason`, 'reason');
  let resolution: IncidentResolution | null = null;
  if (to === 'CLOSED') {
    resolution = req.resolution ?? (from === 'RECOVERED' ? 'RESOLVED' : null);
    if (resolution === null) throw new ValidationError(`closing a ${from} incident needs a resolution (FALSE_POSITIVE, DUPLICATE or BENIGN)`, 'resolution');
    if (from !== 'RECOVERED' && resolution === 'RESOLVED') {
      throw new ValidationError(`a ${from} incident can only be closed as FALSE_POSITIVE, DUPLICATE or BENIGN; contain and recover it first`, 'resolution');
    }
  }
  return {
    status: to,
    resolution,
    entry: {
      at: req.at,
      type: 'STATUS',
      actor: req.actor,
      summary: `${from} → ${to}${resolution ? ` (${resolution})` : ''}${req.reason ? `: ${req.reason}` : ''}`,
      data: { from, to, resolution, reason: req.reason ?? null },
    },
  };
}

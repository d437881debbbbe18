import {
  canTransitionIncident,
  INCIDENT_TRANSITIONS,
  isBackwardTransition,
  type IncidentResolution,
  type IncidentStatus,
} from '@warden/contracts/incident-lifecycle';
import { ConflictError, ValidationError } from '../errors.js';
import type { TimelineEntry } from './timeline.js';

/** The lifecycle's rules live in contracts (the console shows the moves they allow). */
export {
  canTransitionIncident,
  INCIDENT_RESOLUTIONS,
  INCIDENT_STATUSES,
  INCIDENT_TRANSITIONS,
  type IncidentResolution,
  type IncidentStatus,
} from '@warden/contracts/incident-lifecycle';

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
  const backwards = isBackwardTransition(from, to);
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

import { INCIDENT_TRANSITIONS, isBackwardTransition, type IncidentResolution, type IncidentStatus } from '@warden/contracts/incident-lifecycle';

/*
 * The buttons an incident's lifecycle offers, from the rules the api enforces: forward one phase
 * at a time, back one phase with a reason, closed from OPEN/TRIAGED only as not-an-incident, and a
 * closed incident may reopen (with a reason).
 */

export interface Transition {
  to: IncidentStatus;
  label: string;
  /** Going back or reopening: the api wants a reason. */
  needsReason: boolean;
  /** Closing: the resolutions the api accepts from here (the first is the default). */
  resolutions: IncidentResolution[] | null;
}

const LABEL: Record<IncidentStatus, string> = {
  OPEN: 'Reopen',
  TRIAGED: 'Mark triaged',
  CONTAINED: 'Mark contained',
  ERADICATED: 'Mark eradicated',
  RECOVERED: 'Mark recovered',
  CLOSED: 'Close incident',
};

export function transitionsFrom(status: IncidentStatus): Transition[] {
  return INCIDENT_TRANSITIONS[status].map((to) => {
    const backwards = isBackwardTransition(status, to);
    return {
      to,
      label: backwards && to !== 'OPEN' ? `Back to ${to.toLowerCase()}` : LABEL[to],
      needsReason: backwards,
      resolutions: to === 'CLOSED' ? (status === 'RECOVERED' ? ['RESOLVED', 'DUPLICATE', 'BENIGN', 'FALSE_POSITIVE'] : ['FALSE_POSITIVE', 'DUPLICATE', 'BENIGN']) : null,
    };
  });
}

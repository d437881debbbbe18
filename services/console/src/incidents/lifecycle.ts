import type { IncidentResolution, IncidentStatus } from '../api/incidents.js';

/**
 * The api's incident lifecycle (core/incidents/lifecycle.ts), for choosing which buttons to show:
 * forward one phase at a time, back one phase with a reason, closed from OPEN/TRIAGED only as
 * not-an-incident, and a closed incident may reopen (with a reason). The api enforces it.
 */
const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  OPEN: ['TRIAGED', 'CLOSED'],
  TRIAGED: ['CONTAINED', 'CLOSED'],
  CONTAINED: ['ERADICATED', 'TRIAGED'],
  ERADICATED: ['RECOVERED', 'CONTAINED'],
  RECOVERED: ['CLOSED', 'CONTAINED'],
  CLOSED: ['OPEN'],
};
const ORDER: IncidentStatus[] = ['OPEN', 'TRIAGED', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'];

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
  return TRANSITIONS[status].map((to) => {
    const backwards = status === 'CLOSED' || (to !== 'CLOSED' && ORDER.indexOf(to) < ORDER.indexOf(status));
    return {
      to,
      label: backwards && to !== 'OPEN' ? `Back to ${to.toLowerCase()}` : LABEL[to],
      needsReason: backwards,
      resolutions: to === 'CLOSED' ? (status === 'RECOVERED' ? ['RESOLVED', 'DUPLICATE', 'BENIGN', 'FALSE_POSITIVE'] : ['FALSE_POSITIVE', 'DUPLICATE', 'BENIGN']) : null,
    };
  });
}

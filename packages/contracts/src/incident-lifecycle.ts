/**
 * The incident lifecycle (NIST SP 800-61 phases as states), shared by the API, which enforces it,
 * and the console, which shows only the moves it allows. Plain data and pure functions: no
 * dependencies, so a browser bundle can take it.
 */
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

export function canTransitionIncident(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_TRANSITIONS[from].includes(to);
}

/** Going back a phase or reopening: the move needs a reason. */
export function isBackwardTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return from === 'CLOSED' || (to !== 'CLOSED' && INCIDENT_STATUSES.indexOf(to) < INCIDENT_STATUSES.indexOf(from));
}

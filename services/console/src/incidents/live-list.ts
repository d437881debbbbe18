import type { IncidentFilterInput, IncidentRow } from '../api/incidents.js';

/** Whether an incident belongs in a list filtered like the api's `incidents(filter:)`. */
export function matchesFilter(i: IncidentRow, f: IncidentFilterInput): boolean {
  if (f.statuses?.length && !f.statuses.includes(i.status)) return false;
  if (f.severities?.length && !f.severities.includes(i.severity)) return false;
  if (f.assigneeId && i.assignee?.id !== f.assigneeId) return false;
  return true;
}

/** The api's order: most recently active first, then by id (descending), so ties sort the same way. */
function newer(a: IncidentRow, b: IncidentRow): boolean {
  return a.lastAlertAt > b.lastAlertAt || (a.lastAlertAt === b.lastAlertAt && a.id > b.id);
}

/**
 * Applies one live change to the pages of incidents already loaded: the incident leaves every page,
 * then goes back where the api's order puts it if it still matches the filter. One that sorts after
 * everything loaded while older pages remain is left for "Load more" to fetch, so no page shows an
 * incident out of order or twice.
 */
export function applyIncidentChange(pages: readonly IncidentRow[][], incident: IncidentRow, filter: IncidentFilterInput, hasMore: boolean): IncidentRow[][] {
  const out = pages.map((p) => p.filter((i) => i.id !== incident.id));
  if (!matchesFilter(incident, filter)) return out;
  if (out.length === 0) return [[incident]];
  for (const page of out) {
    const at = page.findIndex((i) => newer(incident, i));
    if (at >= 0) {
      page.splice(at, 0, incident);
      return out;
    }
  }
  if (!hasMore) out[out.length - 1]!.push(incident);
  return out;
}

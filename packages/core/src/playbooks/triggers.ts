import { stableId } from '../detection/dedup.js';
import { severityRank } from '../incidents/severity.js';
import { evaluateCondition, type IncidentSnapshot } from './conditions.js';
import type { Playbook } from './schema.js';

/**
 * The playbooks an incident starts by itself: auto-triggered ones whose rules include one of the
 * incident's rules (or that name no rules), whose minimum severity the incident meets, and whose
 * own condition holds. Each comes with its run id, derived from playbook and incident, so the
 * same incident update seen twice starts one run.
 */
export function triggeredPlaybooks(playbooks: readonly Playbook[], incident: IncidentSnapshot, now: number): { playbook: Playbook; runId: string }[] {
  return playbooks
    .filter((p) => {
      const t = p.trigger;
      if (!t?.auto) return false;
      if (t.rules && !t.rules.some((r) => incident.rules.includes(r))) return false;
      if (severityRank(incident.severity) < severityRank(t.minSeverity)) return false;
      return p.when ? evaluateCondition(p.when, incident, now) : true;
    })
    .map((playbook) => ({ playbook, runId: autoRunId(playbook.name, incident.id) }));
}

/** The run id of a playbook started automatically for an incident. */
export function autoRunId(playbook: string, incidentId: string): string {
  return stableId(`playbook:${playbook}:incident:${incidentId}`);
}

/** One line of an incident's timeline: alerts, status changes, actions, notes, who did what. */
export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  type: 'ALERT' | 'STATUS' | 'SEVERITY' | 'ASSIGNMENT' | 'NOTE' | 'CONTAINMENT' | 'PLAYBOOK';
  /** `user:<id>`, `apikey:<id>`, `playbook-run:<id>` or `system:<component>`. */
  actor: string;
  summary: string;
  data: Record<string, unknown>;
}

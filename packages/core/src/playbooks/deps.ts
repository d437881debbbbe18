import type { IncidentLiveEvent } from '../incidents/live.js';
import type { WebhookDeps } from '../webhooks/deps.js';

/** Device ids per blast-radius tier (1–4) of an incident, most exposed first within a tier. */
export type BlastRadiusTierSource = (incidentId: string) => Promise<Record<1 | 2 | 3 | 4, string[]>>;

/** What playbook use-cases need besides the database: the job queue, webhooks, live events. */
export interface PlaybookDeps extends WebhookDeps {
  playbooks: {
    /** How often a wait-until step looks at its incident again (incident changes also wake it). */
    waitPollMs: number;
    /** Live run changes for subscribers (Redis pub/sub); best effort, never throws. */
    publish?: ((event: IncidentLiveEvent) => Promise<void>) | undefined;
  };
}

/** The run's own timeline and event actor. */
export const runActorRef = (runId: string): string => `playbook-run:${runId}`;

import type { AlertV1 } from '@warden/contracts/incidents';

/**
 * Live incident-response events for subscribers, carried on Redis pub/sub: the stream processor
 * publishes new alerts and the incidents it opened or grew, the API publishes responders'
 * changes, and every API instance relays them to its own WebSocket clients.
 */
export type IncidentLiveEvent =
  | { type: 'ALERT'; alert: AlertV1 }
  | { type: 'INCIDENT'; incidentId: string; change: 'CREATED' | 'UPDATED' | 'STATUS' | 'ASSIGNED' | 'NOTE'; actor: string }
  /** A playbook run started, moved on, waits, or finished (core/playbooks). */
  | { type: 'PLAYBOOK_RUN'; runId: string; incidentId: string; status: string; actor: string }
  /** Containments requested, delivered, released, expired or failing (core/containment). */
  | { type: 'CONTAINMENT'; containmentIds: string[]; change: 'REQUESTED' | 'APPLIED' | 'RELEASED' | 'EXPIRED' | 'FAILED'; actor: string };

export const incidentLiveChannel = (redisPrefix: string): string => `${redisPrefix}incidents:live`;

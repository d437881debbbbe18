import type { AlertV1 } from '@warden/contracts/incidents';

/**
 * Live incident-response events for subscribers, carried on Redis pub/sub: the stream processor
 * publishes new alerts and the incidents it opened or grew, the API publishes responders'
 * changes, and every API instance relays them to its own WebSocket clients.
 */
export type IncidentLiveEvent =
  | { type: 'ALERT'; alert: AlertV1 }
  | { type: 'INCIDENT'; incidentId: string; change: 'CREATED' | 'UPDATED' | 'STATUS' | 'ASSIGNED' | 'NOTE'; actor: string };

export const incidentLiveChannel = (redisPrefix: string): string => `${redisPrefix}incidents:live`;

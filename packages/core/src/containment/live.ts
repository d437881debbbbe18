import { incidentLiveChannel, type IncidentLiveEvent } from '../incidents/live.js';
import type { PubSub } from './deps.js';

/** Why subscribers hear of containments. */
export type ContainmentChange = 'REQUESTED' | 'APPLIED' | 'RELEASED' | 'EXPIRED' | 'FAILED';

/**
 * Gateways subscribe here and forget what they cached about these devices' tokens and status, so
 * a revoked token is refused on its next request and a quarantined device's telemetry is flagged
 * at once, whatever DEVICE_AUTH_CACHE_SECONDS says. Message: `{"deviceIds": [...]}`, or
 * `{"all": true}` to drop everything.
 */
export const deviceAuthEvictChannel = (redisPrefix: string): string => `${redisPrefix}:device-auth:evict`;

export interface DeviceAuthEviction {
  deviceIds?: string[];
  all?: boolean;
}

/** Tells the gateways to drop cached authentication for `deviceIds` (best effort; the caller logs). */
export async function evictDeviceAuth(pubsub: PubSub, redisPrefix: string, deviceIds: string[]): Promise<void> {
  for (let i = 0; i < deviceIds.length; i += 5000) {
    await pubsub.publish(deviceAuthEvictChannel(redisPrefix), JSON.stringify({ deviceIds: deviceIds.slice(i, i + 5000) } satisfies DeviceAuthEviction));
  }
}

/** Tells subscribers (containmentChanged, incidentChanged) on every API instance. */
export async function publishContainmentLive(pubsub: PubSub, redisPrefix: string, events: IncidentLiveEvent[]): Promise<void> {
  for (const e of events) await pubsub.publish(incidentLiveChannel(redisPrefix), JSON.stringify(e));
}

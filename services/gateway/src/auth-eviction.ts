import { deviceAuthEvictChannel, type DeviceAuthEviction } from '@warden/core/containment';
import type { Logger, Redis } from '@warden/runtime';

/**
 * Listens for containment's device-auth evictions (Redis pub/sub) and hands them to the gateway's
 * caches, so a revoked token is refused on its next request instead of after
 * DEVICE_AUTH_CACHE_SECONDS. Messages missed while Redis was unreachable cannot be replayed, so
 * every (re)subscription drops the caches whole.
 */
export function subscribeDeviceAuthEvictions(redis: Redis, redisPrefix: string, log: Logger, evict: (deviceIds: string[] | 'all') => void): { ready: Promise<unknown>; close(): void } {
  const channel = deviceAuthEvictChannel(redisPrefix);
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  sub.on('error', (err) => log.warn({ err }, 'device-auth eviction channel: Redis error'));
  let first = true;
  sub.on('ready', () => {
    if (!first) evict('all');
    first = false;
  });
  sub.on('message', (_channel: string, message: string) => {
    let m: DeviceAuthEviction;
    try {
      m = JSON.parse(message) as DeviceAuthEviction;
    } catch {
      return;
    }
    if (m.all) evict('all');
    else if (Array.isArray(m.deviceIds) && m.deviceIds.length) evict(m.deviceIds.filter((d) => typeof d === 'string'));
  });
  const ready = sub.subscribe(channel);
  return { ready, close: () => sub.disconnect() };
}

import { now } from '../context.js';
import type { IncidentLiveEvent } from '../incidents/live.js';
import type { ContainmentDeps } from './deps.js';
import { evictDeviceAuth, publishContainmentLive } from './live.js';

/**
 * Work that follows a commit: queue delivery (and expiry), evict gateway caches, tell subscribers.
 * If any of it fails the change is still recorded and undelivered: the worker's sweep delivers it.
 */
export async function afterCommit(
  deps: ContainmentDeps,
  w: { deliver: string[]; jobKey: string; expire: { requestId: string; at: Date } | null; evict: string[]; live: IncidentLiveEvent[] },
): Promise<void> {
  try {
    for (let i = 0; i < w.deliver.length; i += 1000) {
      await deps.jobs.enqueue('containment.deliver', { ids: w.deliver.slice(i, i + 1000) }, { jobId: `deliver.${w.jobKey}.${i / 1000}` });
    }
    if (w.expire) {
      await deps.jobs.enqueue('containment.expire', { requestId: w.expire.requestId }, { jobId: `expire.${w.expire.requestId}`, delayMs: Math.max(1, w.expire.at.getTime() - now(deps).getTime()) });
    }
  } catch {
    /* the sweep redelivers and expires what was not queued */
  }
  if (!deps.pubsub) return;
  try {
    if (w.evict.length) await evictDeviceAuth(deps.pubsub, deps.redisPrefix, [...new Set(w.evict)]);
    await publishContainmentLive(deps.pubsub, deps.redisPrefix, w.live);
  } catch {
    /* delivery evicts and announces again */
  }
}

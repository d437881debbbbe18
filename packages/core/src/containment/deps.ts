import type { JobQueue } from '@warden/contracts';
import type { CoreDeps } from '../context.js';

/** Anything that can publish on a Redis pub/sub channel (an ioredis client). */
export interface PubSub {
  publish(channel: string, message: string): Promise<unknown>;
}

/** What containment use-cases need beyond {@link CoreDeps}. */
export interface ContainmentDeps extends CoreDeps {
  /** Queues delivery (and expiry) to the worker. */
  jobs: JobQueue;
  /** Redis key prefix of the deployment (pub/sub channel names). */
  redisPrefix: string;
  /**
   * Live events for subscribers and immediate eviction of the gateways' device-auth caches. Without
   * it a change still reaches both when the worker delivers it, a moment later.
   */
  pubsub?: PubSub;
  /** host:port endpoints contained devices keep reaching; a block may not cover them. */
  managementAllow?: { host: string; port: number }[];
}

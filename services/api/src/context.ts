import type { Actor, CoreDeps } from '@warden/core';
import type { Loaders } from './loaders.js';
import type { ActorCache } from './actor-cache.js';
import type { LoginLimiter } from './rate-limit.js';
import type { IncidentLiveHub } from './incident-live.js';
import type { RolloutServices } from './graphql/rollouts/services.js';
import type { ContainmentServices } from './graphql/containment/containment.graphql.js';
import type { WebhookSettings } from '@warden/core/webhooks';

/** What every resolver receives. Built fresh per request (or per subscription). */
export interface GraphQLContext {
  deps: CoreDeps;
  /** Null when the caller sent no valid credentials; resolvers call `requireRole`. */
  actor: Actor | null;
  /** The caller's bearer secret (for logout). */
  token: string | null;
  loaders: Loaders;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  services: ApiServices;
}

/** Process-wide services resolvers may use. Features add theirs here. */
export interface ApiServices extends RolloutServices, ContainmentServices {
  loginLimiter: LoginLimiter;
  actors: ActorCache;
  /** Live alerts and incident changes (subscriptions), shared across API instances through Redis. */
  incidentLive: IncidentLiveHub;
  /** How webhook secrets are sealed and which URLs webhooks may reach. */
  webhooks: WebhookSettings;
  playbookWaitPollMs: number;
}

/** `Authorization: Bearer <secret>` → secret, or null. */
export function bearer(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m?.[1] && m[1].length <= 200 ? m[1] : null;
}

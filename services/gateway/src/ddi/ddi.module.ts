import type { Router } from 'express';
import type { Config } from '@warden/config';
import type { JobQueue } from '@warden/contracts';
import { ControllerViewCache, PollRecorder } from '@warden/core/ddi';
import type { ArtifactStorage } from '@warden/core/firmware';
import { listen, type Db, type SqlPool } from '@warden/db';
import type { Logger } from '@warden/runtime';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AuthFailureGuard } from '../http/rate-limit.js';
import { DdiTokenCache } from './auth.js';
import { ddiRouter } from './router.js';

export interface DdiModuleOptions {
  config: Config;
  db: Db;
  /** Plain pg pool: the poll and feedback paths run on it with prepared statements (db/sql/ddi.ts). */
  sql: SqlPool;
  log: Logger;
  jobs: JobQueue;
  storage: ArtifactStorage;
  /**
   * Failed authentications per client IP (shared with telemetry); an IP past the limit gets 429
   * before its token is checked. Without one, this module counts them in memory.
   */
  authFailures?: AuthFailureGuard;
  /** Device requests per client IP before authentication (shared with telemetry); without one, this module keeps its own. */
  ipLimit?: RateLimiterAbstract;
}

/**
 * The hawkBit DDI feature of the gateway: its routes, the batched poll recorder to flush on stop,
 * and the poll-answer cache with the database listener that keeps it current.
 */
export function createDdiModule(o: DdiModuleOptions): { router: Router; stop(): Promise<void>; evict(deviceIds: Iterable<string> | 'all'): void } {
  const tokens = new DdiTokenCache(o.config.ddi.authCacheSeconds * 1000);
  const polls = new PollRecorder({ db: o.db }, (err) => o.log.warn({ err }, 'recording polls failed'));
  polls.start(1000);
  const views = new ControllerViewCache(o.config.ddi.viewCacheSeconds * 1000);
  const listener =
    o.config.ddi.viewCacheSeconds > 0
      ? listen(o.config.databaseUrl, 'ddi_view', {
          onNotify: (payload) => views.invalidate(payload.split(',')),
          onState: (listening) => {
            views.setListening(listening);
            if (!listening) o.log.warn('DDI change notifications interrupted: polls read the database until they resume');
          },
          onError: (err) => o.log.warn({ err }, 'DDI change listener failed'),
        })
      : null;
  const router = ddiRouter({
    deps: { db: o.db, sql: o.sql, config: o.config, jobs: o.jobs, evaluateDebounceMs: o.config.rollouts.evaluateDebounceMs },
    storage: o.storage,
    polls,
    log: o.log,
    tenant: o.config.ddi.tenant,
    pollSeconds: o.config.ddi.pollSeconds,
    publicUrl: o.config.ddi.publicUrl,
    authCacheMs: o.config.ddi.authCacheSeconds * 1000,
    tokens,
    views,
    limits: {
      ip: o.ipLimit ?? new RateLimiterMemory({ points: o.config.telemetry.ipRateLimit, duration: 60 }),
      authFailures: o.authFailures ?? new AuthFailureGuard(new RateLimiterMemory({ points: o.config.telemetry.authFailureLimit, duration: 60 })),
    },
  });
  return {
    router,
    /** Forgets cached token checks of these devices (containment revoked or reinstated them). */
    evict: (deviceIds) => tokens.evict(deviceIds),
    stop: async () => {
      await listener?.close();
      await polls.stop();
    },
  };
}

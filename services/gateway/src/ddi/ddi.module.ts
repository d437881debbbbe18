import type { Router } from 'express';
import type { Config } from '@warden/config';
import type { JobQueue } from '@warden/contracts';
import { PollRecorder } from '@warden/core/ddi';
import type { ArtifactStorage } from '@warden/core/firmware';
import type { Db, SqlPool } from '@warden/db';
import type { Logger } from '@warden/runtime';
import { ddiRouter } from './router.js';

export interface DdiModuleOptions {
  config: Config;
  db: Db;
  /** Plain pg pool: the poll and feedback paths run on it with prepared statements (db/sql/ddi.ts). */
  sql: SqlPool;
  log: Logger;
  jobs: JobQueue;
  storage: ArtifactStorage;
}

/** The hawkBit DDI feature of the gateway: its routes, and the batched poll recorder to flush on stop. */
export function createDdiModule(o: DdiModuleOptions): { router: Router; stop(): Promise<void> } {
  const polls = new PollRecorder({ db: o.db }, (err) => o.log.warn({ err }, 'recording polls failed'));
  polls.start(1000);
  const router = ddiRouter({
    deps: { db: o.db, sql: o.sql, config: o.config, jobs: o.jobs, evaluateDebounceMs: o.config.rollouts.evaluateDebounceMs },
    storage: o.storage,
    polls,
    log: o.log,
    tenant: o.config.ddi.tenant,
    pollSeconds: o.config.ddi.pollSeconds,
    publicUrl: o.config.ddi.publicUrl,
    authCacheMs: o.config.ddi.authCacheSeconds * 1000,
  });
  return { router, stop: () => polls.stop() };
}

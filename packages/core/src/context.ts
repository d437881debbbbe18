import type { Db, SqlPool } from '@warden/db';
import type { Config } from '@warden/config';

/** What every use-case needs from the outside world, passed in explicitly (never a global). */
export interface CoreDeps {
  db: Db;
  /** Plain pg pool for hot paths (search, authentication). */
  sql: SqlPool;
  config: Pick<Config, 'auth' | 'graphql'>;
  /** Injected clock, so tests can move time. */
  now?: () => Date;
}

export const now = (deps: CoreDeps): Date => deps.now?.() ?? new Date();

import pg from 'pg';

export type SqlPool = pg.Pool;

/**
 * A plain `pg` pool for hot paths (device search, authentication, bulk writes) where Prisma's
 * per-query overhead would dominate. `timestamp` columns hold UTC, as Prisma writes them.
 */
export function createSqlPool(connectionString: string, max = 10, onError: (err: Error) => void = () => {}): SqlPool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(1114, (s: string) => new Date(`${s.replace(' ', 'T')}Z`));
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool; without
  // a listener the 'error' event would crash the process.
  pool.on('error', onError);
  return pool;
}

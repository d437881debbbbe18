import pg from 'pg';

export type SqlPool = pg.Pool;
export type SqlClient = pg.PoolClient;

/**
 * A plain `pg` pool for hot paths (device search, authentication, bulk writes) where Prisma's
 * per-query overhead would dominate. `timestamp` columns hold UTC, as Prisma writes them, and
 * sessions run in UTC so casts between `timestamp` and `timestamptz` agree. JIT compilation is off:
 * Warden's statements are short, and a recursive CTE's cost estimate (the blast-radius walk) trips
 * JIT into compiling for longer than the query runs.
 */
export function createSqlPool(
  connectionString: string,
  max = 10,
  onError: (err: Error) => void = () => {},
  opts: { applicationName?: string } = {},
): SqlPool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(1114, (s: string) => new Date(`${s.replace(' ', 'T')}Z`));
  const pool = new pg.Pool({ connectionString, max, types, application_name: opts.applicationName ?? 'warden', options: '-c TimeZone=UTC -c jit=off' });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool; without
  // a listener the 'error' event would crash the process.
  pool.on('error', onError);
  return pool;
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
export async function inTransaction<T>(pool: SqlPool, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost mid-transaction (a restart, a failover) fails the statement in flight; the
  // client's 'error' event would otherwise crash the process, since the pool only listens on idle ones.
  let lost: unknown;
  const onError = (err: unknown) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => {
      lost ??= e;
    });
    throw err;
  } finally {
    client.off('error', onError);
    // A broken connection is closed rather than handed out again.
    client.release(lost !== undefined);
  }
}

import pg from 'pg';

export type SqlPool = pg.Pool;
export type SqlClient = pg.PoolClient;

/**
 * A plain `pg` pool for the hot paths that Prisma does not express well (bulk UNNEST writes).
 * Sessions run in UTC so timestamp-without-time-zone columns read and write UTC.
 */
export function createSqlPool(connectionString: string, opts: { max?: number; applicationName?: string } = {}): SqlPool {
  return new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'warden',
    options: '-c TimeZone=UTC',
  });
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
export async function inTransaction<T>(pool: SqlPool, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlPool, inTransaction, type SqlPool } from './pool.js';

const URL = process.env.WARDEN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

let pool: SqlPool;
let admin: SqlPool;
beforeAll(() => {
  pool = createSqlPool(URL, 1, () => {}, { applicationName: 'warden-pool-test' });
  admin = createSqlPool(URL, 1);
});
afterAll(async () => {
  await pool.end();
  await admin.end();
});

it('fails a transaction whose connection is cut, keeps the process alive, and never hands that connection out again', async () => {
  const lost = inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await tx.query('SELECT pg_sleep(5)');
  });
  await expect(lost).rejects.toThrow();
  // The pool's only slot gets a fresh connection that works.
  expect(await inTransaction(pool, async (tx) => (await tx.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n)).toBe(1);
});

import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createDatabaseFromTemplate, createDb, createSqlPool, dropDatabase, withDatabase, type Db, type SqlPool } from '@warden/db';
import { applyMigrations, migrationsDir, readMigrations } from '@warden/db/migrate';

const BASE_URL = process.env.WARDEN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * Name of the migrated template database for the current migrations. It is keyed by their content,
 * so parallel runs on different branches do not trip over each other, and reused when unchanged.
 */
async function templateName(): Promise<string> {
  const list = await readMigrations();
  const hash = createHash('sha256');
  for (const d of list.migrationDirectories) {
    hash.update(d.path);
    hash.update(await readFile(path.join(migrationsDir, d.path, 'migration.sql')));
  }
  return `warden_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Creates (once, under an advisory lock) the migrated template database. Used by the global setup. */
export async function prepareTemplateDatabase(): Promise<string> {
  const name = await templateName();
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(74201)');
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await applyMigrations(withDatabase(BASE_URL, building));
      // The schema engine keeps its connection open; close it from here so the rename can proceed.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [building]);
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    }
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(74201)').catch(() => {});
    await admin.end();
  }
}

export interface TestDatabase {
  url: string;
  db: Db;
  sql: SqlPool;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (a template copy: about 50 ms). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await templateName();
  const name = `warden_t_${randomBytes(6).toString('hex')}`;
  const url = await createDatabaseFromTemplate(BASE_URL, name, template);
  const db = createDb(url, { poolSize: 5 });
  const sql = createSqlPool(url, 5);
  return {
    url,
    db,
    sql,
    drop: async () => {
      await db.$disconnect();
      await sql.end();
      await dropDatabase(BASE_URL, name);
    },
  };
}

/**
 * Runs `sql` in a transaction of its own and leaves it open (its row locks held) until commit():
 * the other side of a race, so a test makes the interleaving that matters happen every time.
 */
export async function holdInTransaction(pool: SqlPool, sql: string, values: unknown[] = []): Promise<{ commit(): Promise<void> }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(sql, values);
  } catch (err) {
    client.release(true);
    throw err;
  }
  return {
    async commit() {
      try {
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
}

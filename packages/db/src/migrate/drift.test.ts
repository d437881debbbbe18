import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase, withDatabase } from '../admin.js';
import { diffMigrationsToSchema, readMigrations } from './engine.js';

const BASE = process.env.WARDEN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe('prisma schema and migrations', () => {
  it('agree: replaying prisma/migrations yields exactly prisma/*.prisma', async () => {
    const name = `warden_drift_${randomBytes(4).toString('hex')}`;
    const url = withDatabase(BASE, name);
    await ensureDatabase(url);
    try {
      const sql = await diffMigrationsToSchema(url);
      // Non-empty SQL means someone changed the schema without `npm run db:migrate -- create <name>`.
      expect(sql, `schema changes missing from the migrations:\n${sql}`).toBe('');
    } finally {
      await dropDatabase(BASE, name);
    }
  });

  it('keeps every migration in Prisma\'s folder layout with a lock file', async () => {
    const list = await readMigrations();
    expect(list.lockfile.content).toContain('provider = "postgresql"');
    expect(list.migrationDirectories.length).toBeGreaterThan(0);
    for (const d of list.migrationDirectories) {
      expect(d.path).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(d.migrationFile.content.tag).toBe('ok');
    }
  });
});

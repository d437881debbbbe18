import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@warden/config';
import { dropDatabase, ensureDatabase, withDatabase } from '../admin.js';
import { applyMigrations, diffMigrationsToSchema, migrationsDir } from './engine.js';

/**
 * `npm run db:migrate`                 apply pending migrations to DATABASE_URL (creating the database)
 * `npm run db:migrate -- create NAME`  write prisma/migrations/<timestamp>_NAME from the schema changes
 * `npm run db:migrate -- check`        exit 1 when the schema and the migrations disagree
 */
async function withShadow<T>(url: string, fn: (shadowUrl: string) => Promise<T>): Promise<T> {
  const name = `warden_shadow_${randomBytes(4).toString('hex')}`;
  const shadowUrl = withDatabase(url, name);
  await ensureDatabase(shadowUrl);
  try {
    return await fn(shadowUrl);
  } finally {
    await dropDatabase(url, name);
  }
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function main(): Promise<void> {
  const [command = 'deploy', name] = process.argv.slice(2);
  const { databaseUrl } = loadConfig();
  switch (command) {
    case 'deploy': {
      await ensureDatabase(databaseUrl);
      const applied = await applyMigrations(databaseUrl);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return;
    }
    case 'create': {
      if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: db:migrate create <snake_case_name>');
      const sql = await withShadow(databaseUrl, diffMigrationsToSchema);
      if (!sql) {
        console.log('schema and migrations agree: nothing to create');
        return;
      }
      const dir = path.join(migrationsDir, `${timestamp()}_${name}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'migration.sql'), `${sql}\n`);
      console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
      return;
    }
    case 'check': {
      const sql = await withShadow(databaseUrl, diffMigrationsToSchema);
      if (sql) {
        console.error(`schema and migrations have drifted; run db:migrate create:\n${sql}`);
        process.exitCode = 1;
      } else console.log('schema and migrations agree');
      return;
    }
    default:
      throw new Error(`unknown command ${command}: use deploy, create or check`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';

/**
 * Prisma's schema engine compiled to WebAssembly, driven through the `pg` driver adapter.
 *
 * The native schema engine that `prisma migrate` downloads is not needed: this produces and applies
 * the same migrations, in Prisma's own folder layout (`prisma migrate deploy` works on them too).
 * The package's entry point imports its `.wasm` as an ES module, which Node 20 only allows behind
 * a flag, so the module is instantiated here by hand from the same files.
 */
const require = createRequire(import.meta.url);
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
export const schemaDir = path.join(repoRoot, 'prisma');
export const migrationsDir = path.join(schemaDir, 'migrations');

/**
 * The schema engine reads Postgres catalogs (e.g. `pg_class.relkind`) whose single-byte `"char"`
 * type (OID 18) the pg driver adapter has no mapping for. Such columns are plain text to the
 * engine, so report them as `text` (OID 25). Only the migration tool loads this module.
 */
let charPatched = false;
function reportCharColumnsAsText(): void {
  if (charPatched) return;
  charPatched = true;
  const proto = (pg as unknown as { Result: { prototype: { addFields(f: { dataTypeID: number }[]): void } } }).Result.prototype;
  const addFields = proto.addFields;
  proto.addFields = function (fields) {
    for (const f of fields) if (f.dataTypeID === 18) f.dataTypeID = 25;
    addFields.call(this, fields);
  };
}

type Factory = PrismaPg;
type Adapter = Awaited<ReturnType<Factory['connect']>> & { client: pg.Pool; onError(e: unknown): never };

/**
 * The adapter runs a migration script by splitting it on every `;`, which breaks function bodies
 * (the audit log's append-only trigger). Postgres' simple-query protocol runs a whole script in one
 * round trip, atomically, so hand it over unsplit.
 */
function wholeScripts(factory: Factory, opened: { dispose(): Promise<void> }[]): Factory {
  const wrap = <A>(adapter: A): A => {
    const a = adapter as unknown as Adapter;
    opened.push(a);
    a.executeScript = async (script: string) => {
      try {
        await a.client.query(script);
      } catch (err) {
        a.onError(err);
      }
    };
    return adapter;
  };
  return Object.assign(Object.create(factory) as Factory, {
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  });
}

/** `@types/node` 20 does not declare the WebAssembly global; this is the part used here. */
interface WasmGlobal {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
}

let enginePromise: Promise<typeof import('@prisma/schema-engine-wasm')> | undefined;

async function loadEngineModule(): Promise<typeof import('@prisma/schema-engine-wasm')> {
  enginePromise ??= (async () => {
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = (await import(bgPath)) as typeof import('@prisma/schema-engine-wasm') & {
      __wbg_set_wasm(w: unknown): void;
    };
    const bytes = await readFile(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    const { instance } = await (globalThis as unknown as WasmGlobal).WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings as never });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bindings;
  })();
  return enginePromise;
}

export interface SchemaFile {
  path: string;
  content: string;
}

/** Every `*.prisma` file under `prisma/` (the schema is split by feature). */
export async function readSchemaFiles(dir = schemaDir): Promise<SchemaFile[]> {
  const names = (await readdir(dir, { recursive: true }))
    .filter((n) => n.endsWith('.prisma') && !n.startsWith('migrations'))
    .sort();
  return Promise.all(
    names.map(async (n) => ({ path: path.join(dir, n), content: await readFile(path.join(dir, n), 'utf8') })),
  );
}

/** The migrations folder as the engine wants it. */
export async function readMigrations(dir = migrationsDir): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = path.join(dir, 'migration_lock.toml');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (name) => {
        const file = path.join(dir, name, 'migration.sql');
        const content = await readFile(file, 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        );
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}

export interface Engine {
  engine: SchemaEngine;
  close(): Promise<void>;
}

/** A schema engine connected to `connectionString`. */
export async function openEngine(connectionString: string, log: (msg: string) => void = () => {}): Promise<Engine> {
  const mod = await loadEngineModule();
  reportCharColumnsAsText();
  const files = await readSchemaFiles();
  const opened: { dispose(): Promise<void> }[] = [];
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg({ connectionString }), opened));
  const engine = await mod.SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content] as [string, string]) },
    log,
    adapter,
  );
  return { engine, close: async () => void (await Promise.all(opened.map((a) => a.dispose().catch(() => {})))) };
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function applyMigrations(connectionString: string): Promise<string[]> {
  const { engine, close } = await openEngine(connectionString);
  try {
    const out = await engine.applyMigrations({ migrationsList: await readMigrations(), filters: NO_FILTER });
    return out.appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * SQL that takes a database built from the migrations to the current schema. Empty when they agree.
 * `shadowUrl` is a scratch database the engine replays the migrations into.
 */
export async function diffMigrationsToSchema(shadowUrl: string): Promise<string> {
  const { engine, close } = await openEngine(shadowUrl);
  try {
    const files = await readSchemaFiles();
    const result = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrations()) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return stripComments(result.stdout ?? '');
  } finally {
    await close();
  }
}

function stripComments(sql: string): string {
  const body = sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .trim();
  return body;
}

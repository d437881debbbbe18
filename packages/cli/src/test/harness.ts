import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApi } from '@warden/api';
import { createUser, SYSTEM_ACTOR, type Role } from '@warden/core';
import { createLogger, createRedis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { run } from '../main.js';
import type { Io } from '../io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A real API on a free port over a fresh database (and its own Redis prefix and artifact store),
 * an API key per role created through GraphQL, and `cli()` running a `warden` command line
 * against it in-process with its output captured.
 */
export async function startWarden(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const storageDir = await mkdtemp(path.join(tmpdir(), 'warden-cli-artifacts-'));
  const serviceEnv = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    FIRMWARE_STORAGE_DIR: storageDir,
    FIRMWARE_SIGNING_KEY_FILE: path.join(storageDir, 'signing-key.pem'),
    ...env,
  };
  const config = testConfig(serviceEnv);
  const redis = createRedis(config.redisUrl, { forRequests: true });
  const api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api-test', config.logLevel) });
  const port = await api.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const deps = { db: database.db, sql: database.sql, config };

  async function gql<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  // An admin signs in and creates one API key per role, as an admin would in the console.
  await createUser(deps, SYSTEM_ACTOR, { email: 'admin@cli.test', name: 'Ada', password: 'correct horse admin battery', role: 'ADMIN' });
  const session = (await gql<{ login: { token: string } }>('mutation { login(email: "admin@cli.test", password: "correct horse admin battery") { token } }', {}, '')).login.token;
  const keys = {} as Record<Role, string>;
  for (const role of ['VIEWER', 'OPERATOR', 'RESPONDER', 'ADMIN'] as const) {
    const r = await gql<{ createApiKey: { secret: string } }>('mutation($n: String!, $r: Role!) { createApiKey(input: {name: $n, role: $r}) { secret } }', { n: role, r: role }, session);
    keys[role] = r.createApiKey.secret;
  }

  /** Runs `warden <args>` with WARDEN_URL and WARDEN_API_KEY set (the OPERATOR's key unless told). */
  async function cli(args: string[], opts: { key?: string | null; interactive?: boolean; env?: Record<string, string> } = {}): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const io: Io = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { WARDEN_URL: url, ...(opts.key === null ? {} : { WARDEN_API_KEY: opts.key ?? keys.OPERATOR }), ...opts.env },
      interactive: opts.interactive ?? false,
      columns: 160,
      readFile: (p) => readFile(p, 'utf8'),
    };
    const code = await run(args, io);
    return { code, stdout, stderr };
  }

  return {
    url,
    config,
    env: serviceEnv,
    db: database.db,
    sql: database.sql,
    deps,
    redis,
    keys,
    storageDir,
    gql,
    cli,
    async stop() {
      await api.stop();
      redis.disconnect();
      await database.drop();
    },
  };
}

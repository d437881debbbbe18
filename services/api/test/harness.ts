import { afterAll } from 'vitest';
import { createUser, SYSTEM_ACTOR, type Role } from '@warden/core';
import { createLogger, createRedis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { buildApi } from '../src/app.js';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/**
 * A real API on a free port, over its own fresh database and Redis prefix, torn down after the
 * file's tests. `gql` speaks HTTP to it exactly as a client would.
 */
export async function startApi(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix(), ...env });
  const redis = createRedis(config.redisUrl, { forRequests: true });
  const api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api-test', config.logLevel) });
  const port = await api.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const deps = { db: database.db, sql: database.sql, config };

  afterAll(async () => {
    await api.stop();
    redis.disconnect();
    await database.drop();
  });

  async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult<T>> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GqlResult<T>, 'status'>;
    return { status: res.status, ...body, data: body.data ?? null };
  }

  const passwords = new Map<string, string>();
  /** Creates a user with `role` and returns a session token for it. */
  async function signIn(role: Role, email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.test`): Promise<string> {
    const password = `correct horse ${role} battery`;
    await createUser(deps, SYSTEM_ACTOR, { email, name: role, password, role });
    passwords.set(email, password);
    const r = await gql<{ login: { token: string } }>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
      { e: email, p: password },
    );
    if (!r.data) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
    return r.data.login.token;
  }

  return { url, opsPort: () => api.opsPort(), config, db: database.db, sql: database.sql, deps, gql, signIn, redis };
}

/** The first error code of a GraphQL result. */
export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

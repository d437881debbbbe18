import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, type Api } from '@warden/api';
import { createLogger, createRedis, type Redis } from '@warden/runtime';
import { TEST_REDIS_URL, createTestDatabase, testConfig, testRedisPrefix, type TestDatabase } from '@warden/testing';

// Every GraphQL operation the console sends (src/api/*.ts), checked against the schema the real api
// serves: a renamed or removed field fails here, not on a page in front of a responder.
const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/api');

let database: TestDatabase;
let redis: Redis;
let api: Api;
let schema: GraphQLSchema;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix() });
  redis = createRedis(config.redisUrl, { forRequests: true });
  api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api', 'silent') });
  const port = await api.listen(0, '127.0.0.1');
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await res.json()) as { data: IntrospectionQuery };
  schema = buildClientSchema(body.data);
});

afterAll(async () => {
  await api?.stop();
  redis?.disconnect();
  await database?.drop();
});

/** Operation documents exported by a module: strings (or objects of strings) starting with an operation keyword. */
function operationsOf(exports: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const isOperation = (v: unknown): v is string => typeof v === 'string' && /^\s*(query|mutation|subscription)\b/.test(v);
  for (const [name, value] of Object.entries(exports)) {
    if (isOperation(value)) out.push([name, value]);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (isOperation(v)) out.push([`${name}.${k}`, v]);
  }
  return out;
}

describe('console operations', () => {
  it('are all valid against the api schema', async () => {
    const files = readdirSync(apiDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const problems: string[] = [];
    let count = 0;
    for (const file of files) {
      const mod = (await import(path.join(apiDir, file))) as Record<string, unknown>;
      for (const [name, source] of operationsOf(mod)) {
        count++;
        for (const e of validate(schema, parse(source))) problems.push(`${file} ${name}: ${e.message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(30);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger, createRedis } from '@warden/runtime';
import { createTestDatabase, testConfig } from '@warden/testing';
import { buildApi } from '../src/app.js';
import { codeOf, startApi } from './harness.js';

const api = await startApi({ LOGIN_RATE_LIMIT: '3', GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_COST: '3000' });
const admin = await api.signIn('ADMIN', 'root@example.test');

async function createKey(role: string, expiresAt?: string) {
  const r = await api.gql<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix } } }',
    { i: { name: `key-${role}`, role, ...(expiresAt ? { expiresAt } : {}) } },
    admin,
  );
  return r.data!.createApiKey;
}

describe('API keys', () => {
  it('are shown once, stored only as a hash, and record their last use', async () => {
    const { secret, apiKey } = await createKey('OPERATOR');
    expect(secret).toMatch(/^wdk_/);
    const row = await api.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    expect(row.lastUsedAt).toBeNull();

    const me = await api.gql<{ me: { type: string; role: string } }>('{ me { type role } }', {}, secret);
    expect(me.data!.me).toEqual({ type: 'API_KEY', role: 'OPERATOR' });
    const used = await api.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(used.lastUsedAt).not.toBeNull();
    expect(used.lastUsedIp).toMatch(/127\.0\.0\.1/);
    const keys = await api.gql<{ apiKeys: { prefix: string }[] }>('{ apiKeys { prefix } }', {}, admin);
    expect(JSON.stringify(keys.data)).not.toContain(secret);
  });

  it('stop working the moment they are revoked', async () => {
    const { secret, apiKey } = await createKey('VIEWER');
    expect((await api.gql('{ me { role } }', {}, secret)).data).toBeTruthy();
    await api.gql('mutation($id: ID!) { revokeApiKey(id: $id) { active } }', { id: apiKey.id }, admin);
    expect(codeOf(await api.gql('{ me { role } }', {}, secret))).toBe('UNAUTHENTICATED');
  });

  it('are refused once expired, even while remembered by the API', async () => {
    const { secret } = await createKey('VIEWER', new Date(Date.now() + 1500).toISOString());
    expect((await api.gql('{ me { role } }', {}, secret)).data).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1600));
    expect(codeOf(await api.gql('{ me { role } }', {}, secret))).toBe('UNAUTHENTICATED');
  });

  it('cannot be created with more power than their creator, or already expired', async () => {
    const operatorKey = await createKey('OPERATOR');
    expect(codeOf(await api.gql('mutation { createApiKey(input: {name: "x", role: ADMIN}) { secret } }', {}, operatorKey.secret))).toBe('FORBIDDEN');
    const past = await api.gql('mutation { createApiKey(input: {name: "x", role: VIEWER, expiresAt: "2020-01-01T00:00:00Z"}) { secret } }', {}, admin);
    expect(codeOf(past)).toBe('BAD_USER_INPUT');
    expect(past.errors![0]!.message).toContain('expiresAt');
  });

  it('ignore tokens that are not ours', async () => {
    for (const t of ['wdk_forged', 'wds_forged', 'nonsense', 'a'.repeat(500)]) {
      expect(codeOf(await api.gql('{ me { role } }', {}, t))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('sign-in', () => {
  it('rejects a wrong password without telling whether the account exists', async () => {
    const wrong = await api.gql('mutation { login(email: "root@example.test", password: "wrong password!!") { token } }');
    const nobody = await api.gql('mutation { login(email: "nobody@example.test", password: "wrong password!!") { token } }');
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0]!.message).toBe(nobody.errors![0]!.message);
    expect(await api.db.auditLog.count({ where: { action: 'auth.login.failed' } })).toBeGreaterThanOrEqual(2);
  });

  it('is rate limited per account, with the wait in the error', async () => {
    const attempts = [];
    for (let i = 0; i < 4; i++) attempts.push(await api.gql('mutation { login(email: "victim@example.test", password: "guess guess guess") { token } }'));
    expect(attempts.slice(0, 3).map(codeOf)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(codeOf(attempts[3]!)).toBe('RATE_LIMITED');
    expect(attempts[3]!.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('ends with logout, and a disabled user is locked out at once', async () => {
    const token = await api.signIn('OPERATOR', 'leaver@example.test');
    expect((await api.gql('{ me { role } }', {}, token)).data).toBeTruthy();
    const user = await api.db.user.findUniqueOrThrow({ where: { email: 'leaver@example.test' } });
    await api.gql('mutation($id: ID!) { updateUser(id: $id, input: {disabled: true}) { disabled } }', { id: user.id }, admin);
    expect(codeOf(await api.gql('{ me { role } }', {}, token))).toBe('UNAUTHENTICATED');

    const t2 = await api.signIn('VIEWER');
    expect((await api.gql('mutation { logout }', {}, t2)).data).toEqual({ logout: true });
    expect(codeOf(await api.gql('{ me { role } }', {}, t2))).toBe('UNAUTHENTICATED');
  });

  it('stores passwords with Argon2id, never in clear', async () => {
    const u = await api.db.user.findUniqueOrThrow({ where: { email: 'root@example.test' } });
    expect(u.passwordHash).toMatch(/^\$argon2id\$/);
  });
});

describe('query limits', () => {
  it('refuses a query nested deeper than the limit, before running it', async () => {
    const deep = '{ devices(first: 1) { nodes { segment { site { segments { site { segments { id } } } } } } } }';
    const r = await api.gql(deep, {}, admin);
    expect(r.status).toBe(400);
    expect(r.errors![0]!.message).toMatch(/depth/i);
  });

  it('refuses a query whose page sizes multiply past the cost limit, saying so', async () => {
    const r = await api.gql('{ devices(first: 500) { nodes { id name serial tags model { name } segment { name } credentials { id } } } }', {}, admin);
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('QUERY_TOO_EXPENSIVE');
    expect(r.errors![0]!.message).toContain('exceeds the limit of 3000');
  });

  it('prices fields by the work behind them, not only by the rows they return', async () => {
    const price = async (q: string) => {
      const r = await api.gql(q, {}, admin);
      return codeOf(r) === 'QUERY_TOO_EXPENSIVE' ? 'refused' : 'run';
    };
    // One walk of the contact graph, or one series, is fine; one per row of a page is not.
    expect(await price('{ blastRadius(deviceIds: ["00000000-0000-4000-8000-000000000000"], first: 10) { total } }')).toBe('run');
    expect(await price('{ incidents(first: 10) { nodes { blastRadius(first: 1) { total } } } }')).toBe('refused');
    const series = 'telemetrySeries(metric: "cpu", from: "2026-01-01T00:00:00Z") { points { avg } }';
    expect(await price(`{ devices(first: 20) { nodes { ${series} } } }`)).toBe('run');
    expect(await price(`{ devices(first: 200) { nodes { ${series} } } }`)).toBe('refused');
    // Lists without a page size are priced at a typical size.
    expect(await price('{ incidents(first: 50) { nodes { devices { id name serial } timeline { at } } } }')).toBe('refused');
  });

  it('answers a forged page cursor with BAD_USER_INPUT, not an internal error', async () => {
    const forged = Buffer.from('99999999999999999|00000000-0000-4000-8000-000000000000').toString('base64url');
    expect(codeOf(await api.gql(`{ alerts(after: "${forged}") { nodes { id } } }`, {}, admin))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(`{ containments(after: "${forged}") { nodes { id } } }`, {}, admin))).toBe('BAD_USER_INPUT');
  });

  it('refuses a query too large to price rather than letting it through unpriced', async () => {
    // 12,000 spreads of one fragment: cheap to validate, past what the pricer counts (10,000 nodes).
    const huge = `{ devices(first: 10) { nodes { id } } ${'...P '.repeat(12_000)} } fragment P on Query { __typename }`;
    const r = await api.gql(huge, {}, admin);
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('QUERY_TOO_EXPENSIVE');
    // Variables that do not coerce are still the caller's input error.
    expect(codeOf(await api.gql('query($n: Int!) { devices(first: $n) { nodes { id } } }', { n: 'many' }, admin))).toBe('BAD_USER_INPUT');
  });

  it('prices every request, a query text it has already allowed or refused included', async () => {
    const expensive = '{ devices(first: 500) { nodes { id name serial tags model { name } segment { name } credentials { id } } } }';
    for (let i = 0; i < 2; i++) expect(codeOf(await api.gql(expensive, {}, admin))).toBe('QUERY_TOO_EXPENSIVE');

    const paged = 'query($n: Int!) { devices(first: $n) { nodes { id name serial tags } } }';
    expect((await api.gql(paged, { n: 10 }, admin)).errors).toBeUndefined();
    expect(codeOf(await api.gql(paged, { n: 1000 }, admin))).toBe('QUERY_TOO_EXPENSIVE');

    const optional = 'query($all: Boolean!) { devices(first: 400) { nodes { id model @include(if: $all) { vendor name kind } segment @include(if: $all) { name cidr zone } } } }';
    expect((await api.gql(optional, { all: false }, admin)).errors).toBeUndefined();
    expect(codeOf(await api.gql(optional, { all: true }, admin))).toBe('QUERY_TOO_EXPENSIVE');
    expect((await api.gql(optional, { all: false }, admin)).errors).toBeUndefined();
  });

  it('caps page sizes', async () => {
    const r = await api.gql('{ devices(first: 100000) { nodes { id } } }', {}, admin);
    expect(['BAD_USER_INPUT', 'QUERY_TOO_EXPENSIVE']).toContain(codeOf(r));
  });

  it('limits aliases (batching many expensive fields in one request)', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: ping`).join(' ');
    const r = await api.gql(`{ ${aliases} }`, {}, admin);
    expect(r.status).toBe(400);
    expect(r.errors![0]!.message).toMatch(/alias/i);
  });
});

describe('malformed input', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['bad enum', '{ devices(first: 5, filter: {kinds: [TOASTER]}) { nodes { id } } }', {}],
    ['bad date', 'query($d: DateTime) { devices(first: 5, filter: {lastSeenAfter: $d}) { nodes { id } } }', { d: 'yesterday' }],
    ['bad cursor', '{ devices(first: 5, after: "garbage") { nodes { id } } }', {}],
    ['bad version', '{ devices(first: 5, filter: {firmwareBelow: "one"}) { nodes { id } } }', {}],
    ['negative page', '{ devices(first: -1) { nodes { id } } }', {}],
    ['bad id', '{ segment(id: "42") { id } }', {}],
    ['bad ids in bulk', 'mutation { tagDevices(ids: ["x", "y"], add: ["t"]) { id } }', {}],
    ['bad segment id', 'mutation { moveDevices(ids: ["00000000-0000-0000-0000-000000000000"], segmentId: "nope") { id } }', {}],
    ['wrong variable type', 'query($n: Int!) { devices(first: $n) { nodes { id } } }', { n: 'ten' }],
    ['unknown field', '{ devices(first: 1) { nodes { secretField } } }', {}],
    ['syntax error', '{ devices(first: 1) { nodes { id }', {}],
    ['bad import', 'mutation { importDevices(input: {format: JSON, data: "[1,2"}) { created } }', {}],
    ['bad cidr', 'mutation { createSegment(input: {siteId: "00000000-0000-0000-0000-000000000000", name: "x", cidr: "10.0.0.0/99", zone: IOT}) { id } }', {}],
    ['bad register', 'mutation { registerDevice(input: {serial: "has space", model: "x"}) { device { id } } }', {}],
    ['JSON literal with variable', 'query($v: String) { ping }', { v: 1 }],
  ];
  it.each(cases)('%s: a clear client error, never a 500', async (_name, query, vars) => {
    const r = await api.gql(query, vars, admin);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.length).toBeGreaterThan(0);
    expect(codeOf(r)).not.toBe('INTERNAL_SERVER_ERROR');
    expect(r.errors![0]!.message).not.toMatch(/prisma|invalid `|stack/i);
  });

  it('treats an id that cannot exist as not found', async () => {
    expect((await api.gql('{ device(id: "42") { id } }', {}, admin)).data).toEqual({ device: null });
  });

  it('answers a broken or oversized body with a 4xx', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${admin}` }, body });
    expect((await post('{"query": ')).status).toBe(400);
    expect((await post('x'.repeat(25 * 1024 * 1024))).status).toBe(413);
    expect((await post('query=x', 'text/plain')).status).toBeGreaterThanOrEqual(400);
  });
});

describe('health, readiness and metrics', () => {
  it('reports health without touching dependencies, and readiness and metrics only on its operations port', async () => {
    expect(await (await fetch(`${api.url}/health`)).json()).toEqual({ status: 'ok' });
    // The public port names no internals.
    for (const path of ['/ready', '/metrics']) expect(await (await fetch(`${api.url}${path}`)).text()).not.toMatch(/"checks"|process_resident_memory_bytes/);
    const ops = `http://127.0.0.1:${api.opsPort()}`;
    expect(await (await fetch(`${ops}/ready`)).json()).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toContain('warden_http_request_duration_seconds_bucket');
    expect(metrics).toContain('process_resident_memory_bytes');
  });

  it('names the dependency that is down', async () => {
    const database = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: database.url });
    const deadRedis = createRedis('redis://127.0.0.1:1', { forRequests: true, lazyConnect: true, retryStrategy: () => null });
    deadRedis.on('error', () => {});
    const broken = await buildApi({ config, db: database.db, sql: database.sql, redis: deadRedis, log: createLogger('t', 'silent') });
    await broken.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${broken.opsPort()}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { postgres: { ok: true }, redis: { ok: false } } });
    } finally {
      await broken.stop();
      deadRedis.disconnect();
      await database.drop();
    }
  });

  it('keeps introspection off in production unless enabled', async () => {
    const prod = await startApi({ NODE_ENV: 'production', TOKEN_PEPPER: 'production-pepper-123456' });
    const r = await prod.gql('{ __schema { types { name } } }');
    expect(r.errors?.[0]?.message).toMatch(/introspection/i);
  });
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { demoOffice, firmwareKey } from '@warden/core';
import { dropDatabase, withDatabase } from '@warden/db';

/**
 * `npm start` end to end: the real dev runner on a fresh database and free ports migrates, seeds the
 * demo office and serves it; a query for one segment's devices below a firmware version returns
 * exactly the devices the seeded office has there.
 */
const base = process.env.WARDEN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `warden_start_${randomBytes(4).toString('hex')}`;
const port = 20_000 + Math.floor(Math.random() * 20_000);
const password = 'demo admin password';
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
  env: {
    ...process.env,
    DATABASE_URL: withDatabase(base, dbName),
    API_PORT: String(port),
    GATEWAY_PORT: String(port + 1),
    GATEWAY_OPS_PORT: String(port + 2),
    DEMO_ADMIN_PASSWORD: password,
    DEMO_SCALE: '0.25',
    REDIS_PREFIX: `wstart-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
    WARDEN_NO_SIMULATOR: '1',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));

afterAll(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  await dropDatabase(base, dbName);
});

async function waitReady(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready after ${ms} ms:\n${output}`);
}

it('serves the seeded demo office and answers a segment + firmware query correctly', async () => {
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/ready`, 90_000);
  expect(output).toContain('seeded the demo office');

  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) =>
    (await (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as { data: any; errors?: unknown };

  const login = await gql('mutation($p: String!) { login(email: "admin@warden.local", password: $p) { token } }', { p: password });
  const token = login.data.login.token as string;
  const segments = await gql('{ segments { id name } }', {}, token);
  const iotF2 = segments.data.segments.find((s: { name: string }) => s.name === 'iot-f2').id;

  const expected = demoOffice(42, 0.25)
    .devices.filter((d) => d.segment === 'hq/iot-f2' && firmwareKey(d.firmwareVersion as string)! < firmwareKey('2.5.0')!)
    .map((d) => d.serial as string)
    .sort();
  const page = await gql(
    'query($s: ID!) { devices(first: 500, filter: {segmentIds: [$s], firmwareBelow: "2.5.0"}, orderBy: {field: SERIAL}) { totalCount nodes { serial segment { name } } } }',
    { s: iotF2 },
    token,
  );
  expect(page.errors).toBeUndefined();
  expect(page.data.devices.totalCount).toBe(expected.length);
  expect(page.data.devices.nodes.map((d: { serial: string }) => d.serial)).toEqual(expected);
  expect(expected.length).toBeGreaterThan(10);
}, 120_000);

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
    API_OPS_PORT: String(port + 3),
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
  if (child.exitCode === null) child.kill('SIGTERM');
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
  await waitReady(`http://127.0.0.1:${port + 3}/ready`, 90_000);
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

it('stops the services it started when stopped while still starting, leaving none behind', async () => {
  // The first run is over; a second one on the same (seeded) database and other ports is stopped
  // right after it launched its services, before they are ready.
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  const again = port + 10;
  const second = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    env: { ...process.env, DATABASE_URL: withDatabase(base, dbName), API_PORT: String(again), GATEWAY_PORT: String(again + 1), GATEWAY_OPS_PORT: String(again + 2), STREAM_PORT: String(again + 3), API_OPS_PORT: String(again + 4), LOG_LEVEL: 'warn', WARDEN_NO_SIMULATOR: '1', REDIS_PREFIX: `wstart-${randomBytes(3).toString('hex')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  second.stdout.on('data', (d) => (log += d));
  const exited = new Promise((r) => second.once('exit', r));
  const deadline = Date.now() + 60_000;
  // The broker is up and the services are being launched (they listen a few seconds later).
  while (!log.includes('dev Kafka broker on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  second.kill('SIGTERM');
  await exited;
  // Had the runner died on the signal, its services would come up on their own.
  await new Promise((r) => setTimeout(r, 8_000));
  const answers = (p: number) => fetch(`http://127.0.0.1:${p}/health`).then(() => true, () => false);
  expect(await answers(again)).toBe(false);
  expect(await answers(again + 1)).toBe(false);
}, 90_000);

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createGatewayService } from '@warden/gateway';
import type { DevKafka } from '@warden/runtime';
import {
  createTelemetryFleet,
  createTestDatabase,
  startTestKafka,
  telemetryMessage,
  telemetryTestConfig,
  type FleetFixture,
  type TestDatabase,
} from '@warden/testing';
import { postTelemetry, storedCounts, waitFor } from './helpers.js';

/**
 * Kill -9 the stream processor while it works through a backlog, start it again: everything is
 * stored, nothing twice (the contact graph sums every flow report exactly once).
 */
let database: TestDatabase;
let kafka: DevKafka;
let pool: SqlPool;
let fleet: FleetFixture;
let env: Record<string, string>;
const children: ChildProcess[] = [];
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 4 })]);
  env = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    STREAM_SESSION_TIMEOUT_MS: '6000',
    STREAM_GROUP_ID: `crash-${Date.now()}`,
    // Small transactions, so the kill lands with some committed and some not.
    STREAM_BATCH_MAX_RECORDS: '1000',
    STREAM_PORT: '0',
    TELEMETRY_RATE_LIMIT_GATEWAY: '1000000',
  };
  const config = telemetryTestConfig(env);
  fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 40);
  pool = createSqlPool(database.url, 2);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await pool?.end();
  await kafka?.stop();
  await database?.drop();
});

function startProcessor(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent', LIVENESS_SWEEP_SECONDS: '3600' },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

it('loses nothing and duplicates nothing when the processor is killed mid-stream and restarted', async () => {
  const gateway = await createGatewayService(telemetryTestConfig(env));
  const port = await gateway.start(0, '127.0.0.1');
  const total = 12_000;
  let flows = 0;
  try {
    const start = Date.now() - 3_600_000;
    const batches = Array.from({ length: total / 500 }, (_, b) =>
      Array.from({ length: 500 }, (_, i) => {
        const n = b * 500 + i;
        const m = telemetryMessage(fleet.devices[n % fleet.devices.length]!.id, n, { ts: new Date(start + n) });
        flows += m.flows.length;
        return m;
      }),
    );
    const send = async (messages: unknown[]) => expect(await postTelemetry(port, fleet.gatewayToken, messages)).toBe(202);
    for (let b = 0; b < batches.length; b += 4) await Promise.all(batches.slice(b, b + 4).map(send));
  } finally {
    await gateway.stop();
  }

  const first = startProcessor();
  await waitFor(() => storedCounts(pool), (c) => c.points > 0, 30_000, 'the first processor to store something');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = await storedCounts(pool);
  expect(atKill.points).toBeLessThan(total);

  startProcessor();
  const done = await waitFor(() => storedCounts(pool), (c) => c.points >= total, 60_000, 'everything stored');
  // Give a replay of uncommitted batches time to (not) count twice.
  await new Promise((r) => setTimeout(r, 500));
  const final = await storedCounts(pool);
  expect(final).toEqual(done);
  expect(final).toEqual({ points: total, distinctPoints: total, contactReports: flows, states: fleet.devices.length });
});

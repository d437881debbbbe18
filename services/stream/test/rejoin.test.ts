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
  type TestDatabase,
} from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { storedCounts, waitFor } from './helpers.js';

/**
 * A processor whose group coordinator refuses it in the middle of joining (an error kafkajs does
 * not recover from by itself: the consumer is left disconnected) starts its consumer again, gets
 * its partitions and stores what devices send.
 */
let database: TestDatabase;
let kafka: DevKafka;
let pool: SqlPool;
const services: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 3 })]);
  pool = createSqlPool(database.url, 2);
});

afterAll(async () => {
  for (const s of services.reverse()) await s.stop();
  await pool?.end();
  await kafka?.stop();
  await database?.drop();
});

const SYNC_GROUP = 14;
const INVALID_REQUEST = 42;

it('rejoins its consumer group after the coordinator refused its SyncGroup, and consumes', async () => {
  const config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    // The refused member stays in the group until its session times out; the new one joins after.
    STREAM_SESSION_TIMEOUT_MS: '6000',
  });
  const fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 10);
  await kafka.failNext(SYNC_GROUP, [INVALID_REQUEST]);
  const stream = await createStreamService(config);
  services.push(stream);
  const streamPort = await stream.start(0, '127.0.0.1');
  // Out of its group, it says so: /ready names the consumer.
  const down = await fetch(`http://127.0.0.1:${streamPort}/ready`);
  expect(down.status).toBe(503);
  expect(((await down.json()) as { down: string[] }).down).toEqual(['consumer']);
  await waitFor(async () => stream.consumer.assignedPartitions(), (a) => a.length === 3, 30_000, 'the processor to get its partitions after the refused join');

  const gateway = await createGatewayService(config);
  services.push(gateway);
  const port = await gateway.start(0, '127.0.0.1');
  const messages = fleet.devices.map((d, i) => telemetryMessage(d.id, i));
  const res = await fetch(`http://127.0.0.1:${port}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `GatewayToken ${fleet.gatewayToken}` },
    body: JSON.stringify({ messages }),
  });
  expect(res.status).toBe(202);
  const stored = await waitFor(() => storedCounts(pool), (c) => c.points >= messages.length, 20_000, 'the telemetry stored');
  expect(stored.points).toBe(messages.length);
  expect((await fetch(`http://127.0.0.1:${streamPort}/ready`)).status).toBe(200);
}, 90_000);

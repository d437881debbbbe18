import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGatewayService } from '@warden/gateway';
import {
  createTelemetryFleet,
  telemetryMessage,
  telemetryTestConfig,
} from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { postTelemetry, startStreamBed, storedCounts, waitFor, type StreamBed } from './helpers.js';

/**
 * A processor whose group coordinator refuses it in the middle of joining (an error kafkajs does
 * not recover from by itself: the consumer is left disconnected) starts its consumer again, gets
 * its partitions and stores what devices send.
 */
let bed: StreamBed;

beforeAll(async () => {
  bed = await startStreamBed(3);
});

afterAll(async () => bed?.close());

const SYNC_GROUP = 14;
const INVALID_REQUEST = 42;

it('rejoins its consumer group after the coordinator refused its SyncGroup, and consumes', async () => {
  const config = telemetryTestConfig({
    DATABASE_URL: bed.database.url,
    KAFKA_BROKERS: bed.kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    // The refused member stays in the group until its session times out; the new one joins after.
    STREAM_SESSION_TIMEOUT_MS: '6000',
  });
  const fleet = await createTelemetryFleet(bed.database.db, config.auth.tokenPepper, 10);
  await bed.kafka.failNext(SYNC_GROUP, [INVALID_REQUEST]);
  const stream = await createStreamService(config);
  bed.track(stream);
  const streamPort = await stream.start(0, '127.0.0.1');
  // Out of its group, it says so: /ready names the consumer.
  const down = await fetch(`http://127.0.0.1:${streamPort}/ready`);
  expect(down.status).toBe(503);
  expect(((await down.json()) as { down: string[] }).down).toEqual(['consumer']);
  await waitFor(async () => stream.consumer!.assignedPartitions(), (a) => a.length === 3, 30_000, 'the processor to get its partitions after the refused join');

  const gateway = await createGatewayService(config);
  bed.track(gateway);
  const port = await gateway.start(0, '127.0.0.1');
  const messages = fleet.devices.map((d, i) => telemetryMessage(d.id, i));
  expect(await postTelemetry(port, fleet.gatewayToken, messages)).toBe(202);
  const stored = await waitFor(() => storedCounts(bed.pool), (c) => c.points >= messages.length, 20_000, 'the telemetry stored');
  expect(stored.points).toBe(messages.length);
  expect((await fetch(`http://127.0.0.1:${streamPort}/ready`)).status).toBe(200);
}, 90_000);

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGatewayService } from '@warden/gateway';
import {
  createTelemetryFleet,
  telemetryMessage,
  telemetryTestConfig,
  type FleetFixture,
} from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { postTelemetry, startStreamBed, storedCounts, waitFor, type StreamBed } from './helpers.js';

/** Two stream processors in one consumer group split the partitions and store everything once. */
let fleet: FleetFixture;
let bed: StreamBed;

beforeAll(async () => {
  bed = await startStreamBed(6);
});

afterAll(async () => bed?.close());

it('splits the partitions between two processors of one group, which together store everything exactly once', async () => {
  const config = telemetryTestConfig({
    DATABASE_URL: bed.database.url,
    KAFKA_BROKERS: bed.kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    // The broker gives members a second less than this to rejoin when the group rebalances; a loaded
    // machine needs a few seconds of it.
    STREAM_SESSION_TIMEOUT_MS: '12000',
    TELEMETRY_RATE_LIMIT_GATEWAY: '1000000',
  });
  fleet = await createTelemetryFleet(bed.database.db, config.auth.tokenPepper, 60);
  const stored = [new Set<string>(), new Set<string>()];
  const processors = await Promise.all(
    [0, 1].map((i) => createStreamService(config, { onStored: (records) => records.forEach((r) => stored[i]!.add(r.deviceId)) })),
  );
  processors.forEach((p) => bed.track(p));
  // The second instance joins a group the first already consumes, as when scaling out a running stream.
  await processors[0]!.start(0, '127.0.0.1');
  await waitFor(async () => processors[0]!.consumer!.assignedPartitions(), (a) => a.length === 6, 30_000, 'the first processor to get every partition');
  await processors[1]!.start(0, '127.0.0.1');
  const assignments = await waitFor(
    async () => processors.map((p) => p.consumer!.assignedPartitions()),
    (a) => a.every((parts) => parts.length > 0) && a.flat().length === 6,
    // The dev broker sometimes settles the group on the leader's SyncGroup alone and refuses the
    // newcomer's; it then starts its consumer again, which takes a few more rebalances (~40 s).
    120_000,
    'both processors to get partitions',
  );
  expect(new Set(assignments.flat()).size).toBe(6);

  const gateway = await createGatewayService(config);
  bed.track(gateway);
  const port = await gateway.start(0, '127.0.0.1');
  const total = 6000;
  let flows = 0;
  const start = Date.now() - 600_000;
  for (let b = 0; b < total / 500; b++) {
    const messages = Array.from({ length: 500 }, (_, i) => {
      const n = b * 500 + i;
      const m = telemetryMessage(fleet.devices[n % fleet.devices.length]!.id, n, { ts: new Date(start + n) });
      flows += m.flows.length;
      return m;
    });
    expect(await postTelemetry(port, fleet.gatewayToken, messages)).toBe(202);
  }

  const final = await waitFor(() => storedCounts(bed.pool), (c) => c.points >= total, 30_000, 'everything stored');
  expect(final).toEqual({ points: total, distinctPoints: total, contactReports: flows, states: fleet.devices.length });
  // Each processor stored devices of its own partitions only: one device, one partition, one processor.
  expect(stored[0]!.size).toBeGreaterThan(0);
  expect(stored[1]!.size).toBeGreaterThan(0);
  expect([...stored[0]!].filter((d) => stored[1]!.has(d))).toEqual([]);
}, 240_000);

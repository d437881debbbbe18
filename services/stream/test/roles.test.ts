import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '@warden/config';
import { createGatewayService } from '@warden/gateway';
import { createTelemetryFleet, scanMessage, telemetryTestConfig, type FleetFixture } from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { postTelemetry, startStreamBed, waitFor, type StreamBed } from './helpers.js';

/**
 * Storage and detection as separate processes (STREAM_STORAGE_ENABLED / DETECTION_ENABLED), as
 * infra/compose runs them: each does its own part only, and together they do what one processor does.
 */
let bed: StreamBed;
let fleet: FleetFixture;
let config: ReturnType<typeof telemetryTestConfig>;
let port: number;

const count = async (sql: string, params: unknown[] = []) => Number((await bed.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
const alertsOf = (deviceId: string) => count(`SELECT count(*) AS n FROM alerts WHERE device_id = $1 AND rule = 'WORM_FAN_OUT'`, [deviceId]);
const pointsOf = (deviceId: string) => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1', [deviceId]);

beforeAll(async () => {
  bed = await startStreamBed(2);
  config = telemetryTestConfig({
    DATABASE_URL: bed.database.url,
    KAFKA_BROKERS: bed.kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    DETECTION_CHECKPOINT_MS: '200',
    // The detector below leaves and a new one rejoins its group.
    STREAM_SESSION_TIMEOUT_MS: '6000',
  });
  fleet = await createTelemetryFleet(bed.database.db, config.auth.tokenPepper, 4);
  port = await bed.track(await createGatewayService(config)).start(0, '127.0.0.1');
}, 60_000);

afterAll(async () => bed?.close());

it('refuses a processor with both storage and detection off, naming the setting', () => {
  expect(() => telemetryTestConfig({ STREAM_STORAGE_ENABLED: 'false', DETECTION_ENABLED: 'false' })).toThrow(ConfigError);
  expect(() => telemetryTestConfig({ STREAM_STORAGE_ENABLED: 'false', DETECTION_ENABLED: 'false' })).toThrow(/STREAM_STORAGE_ENABLED/);
});

it('runs detection and storage in separate processors, each doing its own part once', async () => {
  const [a, b] = [fleet.devices[0]!, fleet.devices[1]!];
  const detectionOnly = { ...config, stream: { ...config.stream, storage: false } };
  const storageOnly = { ...config, detection: { ...config.detection, enabled: false } };

  // A detection-only processor raises the alert and stores no telemetry.
  const detector = await createStreamService(detectionOnly, { maintenance: false });
  await detector.start(0, '127.0.0.1');
  expect(detector.consumer).toBeUndefined();
  expect(await postTelemetry(port, fleet.gatewayToken, [scanMessage(a.id, { subnet: 7 })])).toBe(202);
  await waitFor(() => alertsOf(a.id), (n) => n === 1, 30_000, 'the detection-only processor to raise the alert');
  expect(await count('SELECT count(*) AS n FROM telemetry_points')).toBe(0);
  expect(await count('SELECT count(*) AS n FROM device_state')).toBe(0);
  await detector.stop();

  // A storage-only processor stores both scans (its group reads from the start) and raises nothing.
  const storage = bed.track(await createStreamService(storageOnly, { maintenance: false }));
  await storage.start(0, '127.0.0.1');
  expect(storage.detector).toBeUndefined();
  expect(await postTelemetry(port, fleet.gatewayToken, [scanMessage(b.id, { subnet: 8 })])).toBe(202);
  await waitFor(async () => [await pointsOf(a.id), await pointsOf(b.id)], ([pa, pb]) => pa === 1 && pb === 1, 30_000, 'the storage-only processor to store both scans');
  // A processor that also detected would have checkpointed b's rule state by now (every 200 ms).
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await alertsOf(b.id)).toBe(0);
  expect(await count('SELECT count(*) AS n FROM device_detection_state WHERE device_id = $1', [b.id])).toBe(0);

  // A detector back in its group resumes after what it committed: b's alert, a's not raised again.
  const again = bed.track(await createStreamService(detectionOnly, { maintenance: false }));
  await again.start(0, '127.0.0.1');
  await waitFor(() => alertsOf(b.id), (n) => n === 1, 60_000, 'the detector back in its group to raise the second alert');
  expect(await alertsOf(a.id)).toBe(1);
}, 150_000);

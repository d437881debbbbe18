import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@warden/contracts';
import type { AlertV1 } from '@warden/contracts/incidents';
import { SYSTEM_ACTOR } from '@warden/core';
import { createRelease, uploadArtifact } from '@warden/core/firmware';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createGatewayService } from '@warden/gateway';
import type { DevKafka } from '@warden/runtime';
import {
  createRolloutFleet,
  createTelemetryFleet,
  createTestDatabase,
  startTestKafka,
  telemetryTestConfig,
  type FleetFixture,
  type RolloutFleet,
  type TestDatabase,
  waitForDetection,
} from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { topicValues, waitFor } from './helpers.js';

/**
 * The two rules fed by the firmware catalogue and by liveness, through the real gateway, dev
 * Kafka broker, stream processor (with its liveness sweep) and Postgres.
 */
let database: TestDatabase;
let kafka: DevKafka;
let pool: SqlPool;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let stream: Awaited<ReturnType<typeof createStreamService>>;
let gatewayUrl: string;
let firmware: RolloutFleet;
let floorA: FleetFixture;
let floorB: FleetFixture;
const sha256Of: Record<string, string> = {};
const EVIL = 'e'.repeat(64);
const seqs = new Map<string, number>();

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 2 })]);
  const config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    LIVENESS_GRACE_FACTOR: '1',
    LIVENESS_SWEEP_SECONDS: '0.3',
    DETECTION_RELOAD_MS: '300',
  });
  // Small segments: 3 of 10 devices within a minute is an outage here.
  await database.db.detectionSettings.create({ data: { id: 1, config: { segmentSilence: { windowSeconds: 60, share: 0.3, minDevices: 3 } } } });
  firmware = await createRolloutFleet({ db: database.db, sql: database.sql, config }, 2, { prefix: `fw-${randomBytes(3).toString('hex')}` });
  for (const id of Object.values(firmware.releases)) {
    const r = await database.db.release.findUniqueOrThrow({ where: { id }, include: { artifacts: { include: { artifact: true } } } });
    sha256Of[r.version] = r.artifacts[0]!.artifact.sha256;
  }
  floorA = await createTelemetryFleet(database.db, config.auth.tokenPepper, 10);
  floorB = await createTelemetryFleet(database.db, config.auth.tokenPepper, 10);
  pool = createSqlPool(database.url, 2);
  gateway = await createGatewayService(config);
  stream = await createStreamService(config);
  const [g] = await Promise.all([gateway.start(0, '127.0.0.1'), stream.start(0, '127.0.0.1')]);
  gatewayUrl = `http://127.0.0.1:${g}`;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await stream?.stop();
  await pool?.end();
  await kafka?.stop();
  await database?.drop();
});

const nextSeq = (deviceId: string) => {
  const n = (seqs.get(deviceId) ?? 0) + 1;
  seqs.set(deviceId, n);
  return n;
};

async function post(authorization: string, messages: unknown[]) {
  const res = await fetch(`${gatewayUrl}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ messages }),
  });
  expect(res.status).toBe(202);
}

/** One report from a firmware-fleet device, claiming `version` and an image hash, then waits until it is stored and detection has run on it. */
async function reportFirmware(device: { id: string; token: string }, version: string, hash?: string) {
  const seq = nextSeq(device.id);
  await post(`TargetToken ${device.token}`, [{ deviceId: device.id, seq, ts: new Date().toISOString(), metrics: { cpu: 5 }, firmware: { version, ...(hash ? { hash } : {}) } }]);
  await waitFor(() => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1 AND seq = $2', [device.id, seq]), (n) => n === 1, 20_000, `report ${seq} stored`);
  await waitForDetection(pool, { deviceIds: [device.id] });
}

const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);
const alertsOf = async (rule: string) =>
  (await pool.query('SELECT device_id, segment_id, severity, evidence, incident_id FROM alerts WHERE rule = $1 ORDER BY observed_at', [rule])).rows;

describe('firmware hash not matching the artifact of the reported version', () => {
  it('raises a CRITICAL alert for an image that is not the release artifact, and nothing for a genuine or unknown one', async () => {
    const [genuine, tampered] = firmware.devices;
    await reportFirmware(genuine!, '1.0.0', sha256Of['1.0.0']);
    await reportFirmware(genuine!, '1.0.0', sha256Of['1.0.0']!.toUpperCase());
    // Reporting no hash, or a version Warden has no release for (a factory image), is not evidence.
    await reportFirmware(genuine!, '1.1.0');
    await reportFirmware(genuine!, '7.7.7', EVIL);
    expect(await alertsOf('FIRMWARE_HASH_MISMATCH')).toEqual([]);

    // Claims the update but still runs the old image (a faked version string).
    await reportFirmware(tampered!, '1.1.0', sha256Of['1.0.0']);
    const [alert] = await alertsOf('FIRMWARE_HASH_MISMATCH');
    expect(alert).toMatchObject({
      device_id: tampered!.id,
      severity: 'CRITICAL',
      incident_id: expect.any(String),
      evidence: { reason: 'HASH_MISMATCH', version: '1.1.0', reportedHash: sha256Of['1.0.0'], expectedHashes: [sha256Of['1.1.0']] },
    });
    // Reported again: the same alert, not a second one.
    await reportFirmware(tampered!, '1.1.0', sha256Of['1.0.0']);
    expect(await alertsOf('FIRMWARE_HASH_MISMATCH')).toHaveLength(1);
    const published = await waitFor(() => topicValues<AlertV1>(kafka.brokers, TOPICS.alerts), (v) => v.some((a) => a.rule === 'FIRMWARE_HASH_MISMATCH'), 10_000, 'the alert on Kafka');
    expect(published.filter((a) => a.rule === 'FIRMWARE_HASH_MISMATCH').map((a) => a.deviceId)).toEqual([tampered!.id]);
  });

  it('learns of a release created while the stream runs', async () => {
    const [device] = firmware.devices;
    // Before 1.2.0 exists it is an unknown version: quiet.
    await reportFirmware(device!, '1.2.0', EVIL);
    expect(await count(`SELECT count(*) AS n FROM alerts WHERE rule = 'FIRMWARE_HASH_MISMATCH' AND device_id = $1`, [device!.id])).toBe(0);

    const { artifact } = await uploadArtifact(firmware.firmware, SYSTEM_ACTOR, { filename: 'hub-1.2.0.swu', body: Readable.from([randomBytes(2048)]) });
    await createRelease(firmware.firmware, SYSTEM_ACTOR, { modelId: firmware.modelId, version: '1.2.0', artifactIds: [artifact.id] });
    await new Promise((r) => setTimeout(r, 400)); // past DETECTION_RELOAD_MS
    await reportFirmware(device!, '1.2.0', artifact.sha256);
    expect(await count(`SELECT count(*) AS n FROM alerts WHERE rule = 'FIRMWARE_HASH_MISMATCH' AND device_id = $1`, [device!.id])).toBe(0);
    await reportFirmware(device!, '1.2.0', EVIL);
    const alerts = (await alertsOf('FIRMWARE_HASH_MISMATCH')).filter((a) => a.device_id === device!.id);
    expect(alerts.map((a) => a.evidence)).toEqual([expect.objectContaining({ reason: 'HASH_MISMATCH', version: '1.2.0', reportedHash: EVIL })]);
  });
});

describe('a large share of a segment going silent at once', () => {
  it('raises one alert when 4 of 10 devices of a floor go offline together, none for 1 of 10 on another floor', async () => {
    const silentA = new Set(floorA.devices.slice(0, 4).map((d) => d.id));
    const silentB = new Set([floorB.devices[0]!.id]);
    const laterA = floorA.devices[4]!.id;
    let silenced = false;
    let laterSilenced = false;
    let running = true;
    // Every device reports every 2 s until it is silenced; `interval` tells liveness to expect that.
    const heartbeat = (async () => {
      while (running) {
        for (const fleet of [floorA, floorB]) {
          const live = fleet.devices.filter((d) => !(silenced && (silentA.has(d.id) || silentB.has(d.id))) && !(laterSilenced && d.id === laterA));
          await post(
            `GatewayToken ${fleet.gatewayToken}`,
            live.map((d) => ({ deviceId: d.id, seq: nextSeq(d.id), ts: new Date().toISOString(), metrics: { cpu: 3 }, interval: 2 })),
          );
        }
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    try {
      const online = (segmentId: string) =>
        count('SELECT count(*) AS n FROM device_state s JOIN devices d ON d.id = s.device_id WHERE d.segment_id = $1 AND s.online', [segmentId]);
      await waitFor(async () => [await online(floorA.segmentId), await online(floorB.segmentId)], ([a, b]) => a === 10 && b === 10, 20_000, 'both floors online');
      await new Promise((r) => setTimeout(r, 2_500)); // a couple of sweeps with everyone heard

      silenced = true;
      const [alert] = await waitFor(() => alertsOf('SEGMENT_SILENCE'), (v) => v.length > 0, 20_000, 'the segment alert');
      expect(alert).toMatchObject({ device_id: null, segment_id: floorA.segmentId, severity: 'HIGH', incident_id: expect.any(String) });
      expect(alert.evidence.population).toBe(10);
      expect(alert.evidence.offline).toBeGreaterThanOrEqual(3);
      expect(alert.evidence.devices.every((id: string) => silentA.has(id))).toBe(true);
      const { rows: incidents } = await pool.query('SELECT rule, segment_id, status FROM incidents WHERE id = $1', [alert.incident_id]);
      expect(incidents).toEqual([{ rule: 'SEGMENT_SILENCE', segment_id: floorA.segmentId, status: 'OPEN' }]);

      // The outage goes on: the rest of the four, then a fifth device of floor A drop. Still one alert.
      await waitFor(() => online(floorA.segmentId), (n) => n === 6, 20_000, 'four of floor A offline');
      laterSilenced = true;
      await waitFor(() => online(floorA.segmentId), (n) => n === 5, 20_000, 'a fifth device of floor A offline');
      await waitFor(() => online(floorB.segmentId), (n) => n === 9, 20_000, 'one device of floor B offline');
      await new Promise((r) => setTimeout(r, 1_000)); // further sweeps
      const all = await alertsOf('SEGMENT_SILENCE');
      expect(all).toHaveLength(1);
      const published = await waitFor(() => topicValues<AlertV1>(kafka.brokers, TOPICS.alerts), (v) => v.some((a) => a.rule === 'SEGMENT_SILENCE'), 10_000, 'the alert on Kafka');
      expect(published.filter((a) => a.rule === 'SEGMENT_SILENCE').map((a) => a.segmentId)).toEqual([floorA.segmentId]);
    } finally {
      running = false;
      await heartbeat;
    }
  });
});

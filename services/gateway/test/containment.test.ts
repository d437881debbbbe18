import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '@warden/contracts';
import { SYSTEM_ACTOR, getTelemetrySeries, processTelemetryBatch, type Actor } from '@warden/core';
import { quarantineDevices, releaseContainment, revokeCredentials, rotateCredentials, type ContainmentDeps } from '@warden/core/containment';
import { createRollout, startRollout, startWave } from '@warden/core/rollouts';
import { createJobQueue, createRedis, type BullJobQueue, type DevKafka, type Redis } from '@warden/runtime';
import { createRolloutFleet, createTestDatabase, DdiDevice, startTestKafka, telemetryMessage, telemetryTestConfig, type RolloutFleet, type TestDatabase } from '@warden/testing';
import { createGatewayService } from '../src/main.js';
import { readTopic, topics } from './helpers.js';

/**
 * Containment through the real gateway: a quarantined device keeps its management channel (DDI
 * updates, telemetry, flagged), and revoked tokens are refused on the very next request although
 * the gateway caches token checks for 30 s.
 */
const responder: Actor = { type: 'USER', id: '00000000-0000-4000-8000-00000000000a', name: 'rita', role: 'RESPONDER' };
let database: TestDatabase;
let kafka: DevKafka;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let fleet: RolloutFleet;
let url: string;
let redis: Redis;
let jobs: BullJobQueue;
let deps: ContainmentDeps;
let storageDir: string;

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka()]);
  storageDir = await mkdtemp(path.join(tmpdir(), 'warden-containment-'));
  const config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    MQTT_ENABLED: 'false',
    FIRMWARE_STORAGE_DIR: storageDir,
    // Long caches: only eviction can make a revocation take effect at once.
    DDI_AUTH_CACHE_SECONDS: '30',
    DEVICE_AUTH_CACHE_SECONDS: '30',
  });
  redis = createRedis(config.redisUrl);
  jobs = createJobQueue(redis, config.redisPrefix);
  deps = { db: database.db, sql: database.sql, config, jobs, redisPrefix: config.redisPrefix, pubsub: redis };
  fleet = await createRolloutFleet(deps, 4, { prefix: `ct${config.redisPrefix.slice(-4)}`, storageDir });
  gateway = await createGatewayService(config);
  url = `http://127.0.0.1:${await gateway.start(0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await jobs?.close();
  redis?.disconnect();
  await kafka?.stop();
  await database?.drop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

const telemetry = (token: string, messages: unknown[]) =>
  fetch(`${url}/device/v1/telemetry`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `TargetToken ${token}` }, body: JSON.stringify({ messages }) });

describe('containment at the gateway', () => {
  it('a quarantined device still polls DDI, gets its update and installs it; its telemetry is flagged', async () => {
    const d = fleet.devices[0]!;
    const other = fleet.devices[1]!;
    const device = new DdiDevice(url, d.controllerId, d.token);
    expect((await device.poll()).status).toBe(200); // token check cached from here on

    const q = await quarantineDevices(deps, responder, { deviceIds: [d.id], reason: 'scanning port 23' });
    expect(q.containments).toHaveLength(1);

    const r = await createRollout(deps, SYSTEM_ACTOR, {
      name: 'emergency patch',
      releaseId: fleet.releases.v110,
      filter: { deviceIds: [d.id] },
      waves: [{ percent: 100 }],
      successThresholdPct: 100,
      emergency: true,
      requiresApproval: false,
    });
    const rolloutDeps = { ...deps, evaluateDebounceMs: 25 };
    await startRollout(rolloutDeps, SYSTEM_ACTOR, r.id);
    await startWave(rolloutDeps, r.id, 0);
    expect(await device.cycle('success')).toBe('installed');
    const action = await database.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id, deviceId: d.id } });
    expect(action.status).toBe('FINISHED');
    expect((await database.db.device.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('QUARANTINED');

    // Telemetry keeps flowing, flagged at the gateway for the quarantined device only.
    expect((await telemetry(d.token, [telemetryMessage(d.id, 1)])).status).toBe(202);
    expect((await telemetry(other.token, [telemetryMessage(other.id, 1)])).status).toBe(202);
    const records = await readTopic<TelemetryRecord>(kafka.brokers, topics.telemetry, (all) => all.some((x) => x.deviceId === d.id) && all.some((x) => x.deviceId === other.id));
    expect(records.find((x) => x.deviceId === d.id)!.quarantined).toBe(true);
    expect(records.find((x) => x.deviceId === other.id)!.quarantined).toBeUndefined();

    // The stream stores the flag with the points, and telemetry queries count the flagged readings.
    await processTelemetryBatch({ pool: database.sql, events: { publish: async () => {} } }, records);
    const stored = await database.sql.query<{ device_id: string; quarantined: boolean }>('SELECT device_id::text, quarantined FROM telemetry_points ORDER BY device_id');
    expect(new Map(stored.rows.map((p) => [p.device_id, p.quarantined]))).toEqual(new Map([[d.id, true], [other.id, false]]));
    const metric = Object.keys(telemetryMessage(d.id, 1).metrics)[0]!;
    const series = await getTelemetrySeries(deps, SYSTEM_ACTOR, { deviceId: d.id, metric, from: new Date(Date.now() - 3600_000), bucketSeconds: 3600 });
    expect(series.points.reduce((n, p) => n + p.quarantined, 0)).toBe(1);

    // Released: the next report is no longer flagged (the gateway forgot the cached status at once).
    await releaseContainment(deps, responder, { id: q.containments[0]!.id, reason: 'patched' });
    expect((await telemetry(d.token, [telemetryMessage(d.id, 2)])).status).toBe(202);
    const after = await readTopic<TelemetryRecord>(kafka.brokers, topics.telemetry, (all) => all.some((x) => x.deviceId === d.id && x.seq === 2));
    expect(after.find((x) => x.deviceId === d.id && x.seq === 2)!.quarantined).toBeUndefined();
  }, 60_000);

  it('refuses revoked tokens on the very next request, DDI and telemetry alike, and accepts them again once released', async () => {
    const d = fleet.devices[2]!;
    const device = new DdiDevice(url, d.controllerId, d.token);
    expect((await device.poll()).status).toBe(200);
    expect((await telemetry(d.token, [telemetryMessage(d.id, 1)])).status).toBe(202);

    const r = await revokeCredentials(deps, responder, { deviceIds: [d.id], reason: 'token leaked' });
    const revokedAt = Date.now();
    // Eviction travels over Redis pub/sub; allow it a moment, far below the 30 s cache.
    const refused = async () => {
      for (;;) {
        const [poll, post] = await Promise.all([device.poll(), telemetry(d.token, [telemetryMessage(d.id, 2)])]);
        if (poll.status === 401 && post.status === 401) return Date.now() - revokedAt;
        if (Date.now() - revokedAt > 5_000) throw new Error(`still accepted: poll ${poll.status}, telemetry ${post.status}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    expect(await refused()).toBeLessThan(1_000);

    await releaseContainment(deps, responder, { id: r.containments[0]!.id, reason: 'false positive' });
    expect((await device.poll()).status).toBe(200);
    expect((await telemetry(d.token, [telemetryMessage(d.id, 3)])).status).toBe(202);
  }, 30_000);

  it('after a rotation the old token is refused at once and the new one works', async () => {
    const d = fleet.devices[3]!;
    expect((await new DdiDevice(url, d.controllerId, d.token).poll()).status).toBe(200);
    const r = await rotateCredentials(deps, responder, { deviceIds: [d.id], reason: 'compromised' });
    const fresh = r.credentials[0]!.token;
    await new Promise((res) => setTimeout(res, 200));
    expect((await new DdiDevice(url, d.controllerId, d.token).poll()).status).toBe(401);
    expect((await new DdiDevice(url, d.controllerId, fresh).poll()).status).toBe(200);
  });
});

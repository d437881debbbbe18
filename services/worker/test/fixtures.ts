import type { Config } from '@warden/config';
import { authenticateDevice, createDeviceModel, createSegment, createSite, registerDevice, SYSTEM_ACTOR, type Actor, type IssuedCredential } from '@warden/core';
import type { ContainmentDeps } from '@warden/core/containment';
import { createJobQueue, createRedis, type BullJobQueue, type Redis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@warden/testing';

export const RESPONDER: Actor = { type: 'USER', id: '00000000-0000-4000-8000-000000000001', name: 'rita (responder)', role: 'RESPONDER' };
export const OPERATOR: Actor = { type: 'USER', id: '00000000-0000-4000-8000-000000000002', name: 'otto (operator)', role: 'OPERATOR' };

export interface FleetDevice {
  id: string;
  serial: string;
  controllerId: string;
  token: string;
  failSafe: boolean;
}

export interface ContainmentWorld {
  tdb: TestDatabase;
  config: Config;
  redis: Redis;
  jobs: BullJobQueue;
  deps: ContainmentDeps;
  env: Record<string, string>;
  siteId: string;
  segmentId: string;
  otherSegmentId: string;
  /** Lights on the IoT segment. */
  lights: FleetDevice[];
  /** Fail-safe badge readers on the same segment. */
  readers: FleetDevice[];
  /** A light on the other segment. */
  elsewhere: FleetDevice;
  close(): Promise<void>;
}

/** A fresh database and Redis prefix with a small office: one site, two segments, lights and fail-safe badge readers. */
export async function containmentWorld(opts: { lights?: number; readers?: number; env?: Record<string, string> } = {}): Promise<ContainmentWorld> {
  const tdb = await createTestDatabase();
  const env = { DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix(), CONTAINMENT_MANAGEMENT_ALLOW: '127.0.0.1:4100,127.0.0.1:1883', ...opts.env };
  const config = testConfig(env);
  const redis = createRedis(TEST_REDIS_URL);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const deps: ContainmentDeps = { db: tdb.db, sql: tdb.sql, config, jobs, redisPrefix: config.redisPrefix, pubsub: redis, managementAllow: config.containment.managementAllow };
  const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  const segment = await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'iot', cidr: '10.20.0.0/16', zone: 'IOT', vlan: 20 });
  const other = await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'corp', cidr: '10.30.0.0/16', zone: 'CORPORATE' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Gate', name: 'R2', kind: 'BADGE_READER' });
  // Serials (and so controller ids and retained MQTT topics) of their own, on a broker shared by every test file.
  const tag = config.redisPrefix.slice(-6);
  let n = 0;
  const make = async (label: string, model: string, seg: string, ip: string, failSafe: boolean): Promise<FleetDevice> => {
    const serial = `${label}-${tag}`;
    n++;
    const { device, credential } = await registerDevice(deps, SYSTEM_ACTOR, {
      serial,
      model,
      segment: seg,
      ip,
      mac: `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`,
      status: 'ACTIVE',
      failSafe,
      issueCredential: true,
    });
    return { id: device.id, serial, controllerId: device.controllerId, token: (credential as IssuedCredential).token, failSafe };
  };
  const lights: FleetDevice[] = [];
  for (let i = 1; i <= (opts.lights ?? 3); i++) lights.push(await make(`L-${i}`, 'Lumen/A19', 'hq/iot', `10.20.0.${i}`, false));
  const readers: FleetDevice[] = [];
  for (let i = 1; i <= (opts.readers ?? 1); i++) readers.push(await make(`R-${i}`, 'Gate/R2', 'hq/iot', `10.20.1.${i}`, true));
  const elsewhere = await make('L-100', 'Lumen/A19', 'hq/corp', '10.30.0.1', false);
  return {
    tdb,
    config,
    redis,
    jobs,
    deps,
    env: Object.fromEntries(Object.entries({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKEN_PEPPER: 'test-pepper-0123456789', ...env }).map(([k, v]) => [k, String(v)])),
    siteId: site.id,
    segmentId: segment.id,
    otherSegmentId: other.id,
    lights,
    readers,
    elsewhere,
    async close() {
      await jobs.close();
      redis.disconnect();
      await tdb.drop();
    },
  };
}

/** An OPEN incident over `deviceIds` (detection opens them in production). */
export async function openIncident(w: ContainmentWorld, deviceIds: string[], status = 'OPEN'): Promise<string> {
  const id = crypto.randomUUID();
  const at = new Date();
  await w.tdb.db.incident.create({
    data: { id, correlationKey: `segment:${w.segmentId}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'worm-like scan', severity: 'HIGH', status, segmentId: w.segmentId, deviceIds, firstAlertAt: at, lastAlertAt: at },
  });
  return id;
}

export async function eventually<T>(fn: () => Promise<T | false | null | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Every record on `topic` as { key, value }, read with kcat (a real Kafka client). */
export async function topicRecords<T>(brokers: string[], topic: string): Promise<{ key: string; value: T }[]> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { key: line.slice(0, tab), value: JSON.parse(line.slice(tab + 1)) as T };
    });
}

/** The retained message on an MQTT topic (null when none arrives within `ms`). */
export async function retained<T>(url: string, topic: string, ms = 2000): Promise<T | null> {
  const mqtt = (await import('mqtt')).default;
  const client = await mqtt.connectAsync(url, { clientId: `t-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  try {
    return await new Promise<T | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      client.on('message', (_t, payload) => {
        clearTimeout(timer);
        resolve(payload.length ? (JSON.parse(payload.toString('utf8')) as T) : null);
      });
      void client.subscribeAsync(topic, { qos: 1 });
    });
  } finally {
    await client.endAsync();
  }
}

/** A device's status as stored now. */
export const deviceStatus = async (w: ContainmentWorld, id: string): Promise<string> => (await w.tdb.db.device.findUniqueOrThrow({ where: { id } })).status;

/** Whether the gateway would take this device token now. */
export const tokenWorks = (w: ContainmentWorld, token: string): Promise<boolean> =>
  authenticateDevice({ db: w.tdb.db, config: w.config }, { scheme: 'TargetToken', token }).then(
    () => true,
    () => false,
  );

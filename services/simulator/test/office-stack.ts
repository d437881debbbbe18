import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '@warden/config';
import type { DeviceRoster } from '@warden/contracts';
import { SYSTEM_ACTOR, provisionDemoRoster, seedDemoFirmware, seedDemoOffice, type DemoFirmware } from '@warden/core';
import { LocalDiskStorage, loadSigner } from '@warden/core/firmware';
import { seedBuiltinPlaybooks } from '@warden/core/playbooks';
import type { RolloutDeps } from '@warden/core/rollouts';
import { createGatewayService } from '@warden/gateway';
import { createJobQueue, createLogger, createRedis, type BullJobQueue, type DevKafka, type Redis } from '@warden/runtime';
import { createStreamService } from '@warden/stream';
import { createTestDatabase, startTestKafka, telemetryTestConfig, type TestDatabase } from '@warden/testing';
import { createWorkerService } from '../../worker/src/main.js';
import { simulatorOptions } from '../src/main.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/simulator.js';

/**
 * The real Warden stack for one test file (its own database, Kafka broker, Redis prefix and
 * firmware directory: gateway, stream processor and worker in this process) with the demo office
 * seeded at `scale` and provisioned for the simulator.
 */
export interface OfficeStack {
  config: Config;
  db: TestDatabase;
  kafka: DevKafka;
  redis: Redis;
  jobs: BullJobQueue;
  deps: RolloutDeps;
  roster: DeviceRoster;
  firmware: DemoFirmware;
  gatewayUrl: string;
  /** A simulator of the office against this stack. */
  simulator(overrides?: Partial<SimulatorOptions>): Simulator;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startOfficeStack(opts: { scale: number; env?: Record<string, string>; playbooks?: boolean }): Promise<OfficeStack> {
  const [db, kafka, dir, gatewayPort] = await Promise.all([
    createTestDatabase(),
    startTestKafka({ telemetryPartitions: 2 }),
    mkdtemp(path.join(os.tmpdir(), 'warden-sim-')),
    freePort(),
  ]);
  const config = telemetryTestConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    FIRMWARE_STORAGE_DIR: path.join(dir, 'artifacts'),
    FIRMWARE_SIGNING_KEY_FILE: path.join(dir, 'signing-key.pem'),
    SIM_ROSTER_FILE: path.join(dir, 'roster.json'),
    // A real port (not 0), so the management channel containment tells devices about is valid.
    GATEWAY_PORT: String(gatewayPort),
    DDI_POLL_SECONDS: '2',
    DDI_AUTH_CACHE_SECONDS: '30',
    ROLLOUT_EVALUATE_DEBOUNCE_MS: '100',
    ROLLOUT_SWEEP_SECONDS: '2',
    LIVENESS_SWEEP_SECONDS: '1',
    // Reports every 2 s would make a 6 s hiccup of one partition on a busy test machine an outage.
    LIVENESS_GRACE_FACTOR: '5',
    DETECTION_RELOAD_MS: '500',
    SIM_TELEMETRY_SECONDS: '2',
    // A topic of its own, so no other gateway on the shared broker takes this office's messages.
    MQTT_TELEMETRY_TOPIC: `$share/wsim/wsim-${randomBytes(4).toString('hex')}/devices/+/telemetry`,
    SIM_INSTALL_SECONDS: '0.5',
    ...opts.env,
  });
  const core = { db: db.db, sql: db.sql, config };
  await seedDemoOffice(core, SYSTEM_ACTOR, { seed: 42, scale: opts.scale, adminPassword: 'correct horse battery staple' });
  if (opts.playbooks) await seedBuiltinPlaybooks(core, SYSTEM_ACTOR);
  // Without playbooks the worm runs free (the office's worm-outbreak playbook would contain it).
  else await db.db.playbook.updateMany({ data: { enabled: false } });
  const signer = await loadSigner({ pem: undefined, file: config.firmware.signingKeyFile, createIfMissing: true });
  const firmware = await seedDemoFirmware(
    { ...core, storage: new LocalDiskStorage(config.firmware.storageDir), signer, maxArtifactBytes: config.firmware.maxBytes },
    SYSTEM_ACTOR,
    { exfil: config.simulator.outbreak.exfil },
  );
  const { roster } = await provisionDemoRoster(core, SYSTEM_ACTOR, {
    file: config.simulator.rosterFile,
    siteCode: 'hq',
    tenant: config.ddi.tenant,
    firmwareKey: { keyId: signer.keyId, publicKeyPem: signer.publicKeyPem },
  });
  const gateway = await createGatewayService(config);
  const stream = await createStreamService(config);
  const worker = createWorkerService(config);
  await Promise.all([gateway.start(gatewayPort, '127.0.0.1'), stream.start(0, '127.0.0.1'), worker.start()]);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const redis = createRedis(config.redisUrl);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const sims: Simulator[] = [];
  return {
    config,
    db,
    kafka,
    redis,
    jobs,
    deps: { ...core, jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs },
    roster,
    firmware,
    gatewayUrl,
    simulator(overrides = {}) {
      const sim = createSimulator({ ...simulatorOptions(config), roster, gatewayUrl, log: createLogger('simulator', config.logLevel), ...overrides });
      sims.push(sim);
      return sim;
    },
    sql: async (text, params = []) => (await db.sql.query(text, params)).rows as never,
    async close() {
      await Promise.all(sims.map((s) => s.stop()));
      await gateway.stop();
      await stream.stop();
      await worker.stop();
      await jobs.close();
      redis.disconnect();
      await kafka.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function eventually<T>(fn: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

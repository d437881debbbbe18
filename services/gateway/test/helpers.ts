import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TOPICS } from '@warden/contracts';
import type { DevKafka } from '@warden/runtime';
import { createTelemetryFleet, createTestDatabase, startTestKafka, telemetryTestConfig, type TestDatabase } from '@warden/testing';
import { createGatewayService } from '../src/main.js';

const run = promisify(execFile);

/** Every record value on `topic`, read with kcat (a real Kafka client, no consumer group to join). */
export async function topicValues<T>(brokers: string[], topic: string): Promise<T[]> {
  const { stdout } = await run('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** Reads `topic` until `until` holds for its records (or the timeout passes). */
export async function readTopic<T>(brokers: string[], topic: string, until: (all: T[]) => boolean, timeoutMs = 15_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await topicValues<T>(brokers, topic);
    if (until(all)) return all;
    if (Date.now() > deadline) throw new Error(`timed out reading ${topic}: got ${all.length} records`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const topics = TOPICS;

/**
 * A test file's own database and dev Kafka broker, the telemetry config on them (`env` on top),
 * a fleet of `devices` devices, and the gateways it starts on that config (`startGateway`);
 * `close` stops the gateways, then the broker and the database.
 */
export async function startTelemetryBed(env: Record<string, string>, devices: number) {
  const [database, kafka]: [TestDatabase, DevKafka] = await Promise.all([createTestDatabase(), startTestKafka()]);
  const config = telemetryTestConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: kafka.brokers.join(','), MQTT_ENABLED: 'false', ...env });
  const fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, devices);
  const gateways: GatewayService[] = [];
  return {
    database,
    kafka,
    config,
    fleet,
    /** Starts a gateway on the bed's config; it and its device URL. */
    async startGateway(): Promise<{ gateway: GatewayService; url: string }> {
      const gateway = await createGatewayService(config);
      gateways.push(gateway);
      return { gateway, url: `http://127.0.0.1:${await gateway.start(0, '127.0.0.1')}` };
    },
    async close() {
      for (const g of gateways) await g.stop();
      await kafka.stop();
      await database.drop();
    },
  };
}
export type TelemetryBed = Awaited<ReturnType<typeof startTelemetryBed>>;
type GatewayService = Awaited<ReturnType<typeof createGatewayService>>;

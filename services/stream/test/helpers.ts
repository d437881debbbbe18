import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSqlPool, type SqlPool } from '@warden/db';
import type { DevKafka } from '@warden/runtime';
import { createTestDatabase, startTestKafka, type TestDatabase } from '@warden/testing';

const run = promisify(execFile);

/** Every record value on `topic`, read with kcat (a real Kafka client). */
export async function topicValues<T>(brokers: string[], topic: string): Promise<T[]> {
  const { stdout } = await run('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** Polls `probe` until `until` holds for its value. */
export async function waitFor<T>(probe: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StoredCounts {
  points: number;
  distinctPoints: number;
  contactReports: number;
  states: number;
}

/** What the pipeline stored, for exactly-once checks. */
export async function storedCounts(pool: SqlPool): Promise<StoredCounts> {
  const { rows } = await pool.query<{ points: string; distinct_points: string; contact_reports: string | null; states: string }>(
    `SELECT (SELECT count(*) FROM telemetry_points) AS points,
            (SELECT count(DISTINCT (device_id, seq)) FROM telemetry_points) AS distinct_points,
            (SELECT sum(count) FROM device_contacts) AS contact_reports,
            (SELECT count(*) FROM device_state) AS states`,
  );
  const r = rows[0]!;
  return { points: Number(r.points), distinctPoints: Number(r.distinct_points), contactReports: Number(r.contact_reports ?? 0), states: Number(r.states) };
}

/** Posts a batch of telemetry to the gateway on `port` under a gateway token; the HTTP status. */
export async function postTelemetry(port: number, gatewayToken: string, messages: unknown[]): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `GatewayToken ${gatewayToken}` },
    body: JSON.stringify({ messages }),
  });
  await res.body?.cancel();
  return res.status;
}

/**
 * A test file's own database and dev Kafka broker, a small pool on the database, and the services
 * it starts (`track`); `close` stops those services, newest first, then tears the rest down.
 */
export async function startStreamBed(telemetryPartitions: number) {
  const [database, kafka]: [TestDatabase, DevKafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions })]);
  const pool = createSqlPool(database.url, 2);
  const services: Array<{ stop(): Promise<void> }> = [];
  return {
    database,
    kafka,
    pool,
    track<S extends { stop(): Promise<void> }>(service: S): S {
      services.push(service);
      return service;
    },
    async close() {
      for (const s of services.reverse()) await s.stop();
      await pool.end();
      await kafka.stop();
      await database.drop();
    },
  };
}
export type StreamBed = Awaited<ReturnType<typeof startStreamBed>>;

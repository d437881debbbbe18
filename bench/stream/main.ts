/**
 * Stream drain benchmark: the telemetry topic is filled first (records as the gateway publishes
 * them: JSON, keyed by device, snappy, large sends), then the stream processor starts in its own
 * process, in production mode, and drains it into Postgres. The figure is its drain rate, with and
 * without detection, printed beside the raw engines measured in the same run:
 *  - bare kafkajs: a consumer group reading the same topic from the beginning and parsing each record;
 *  - bare Postgres: a bulk UNNEST insert of the same rows into the same time-partitioned table.
 * `BENCH_STREAM_MESSAGES` (default 150,000, which the dev broker holds whole), `BENCH_STREAM_DEVICES`
 * (default 2,000: with more, fewer messages share a device's state row in a transaction), `BENCH_STREAM_MODES` (default `detection,plain`);
 * `BENCH_STREAM_CPU_PROF=DIR` writes a CPU profile of each stream run into DIR;
 * `BENCH_STREAM_NODE_ARGS` adds Node options to the stream process (e.g. `--trace-gc`).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { SCHEMA_HEADER, TOPICS, type TelemetryRecord } from '@warden/contracts';
import { createSqlPool, maintainTelemetryPartitions, type SqlPool } from '@warden/db';
import { CompressionTypes, createProducer, Kafka, startDevKafka, type DevKafka } from '@warden/runtime';
import { createTelemetryFleet, createTestDatabase, telemetryMessage, testConfig, type TestDatabase } from '@warden/testing';
import { fmt, rawPointInsert, startService, table, waitHttp } from '../lib.js';
import { startRawConsumer } from '../raw-consumer.js';

const DEVICES = Number(process.env.BENCH_STREAM_DEVICES ?? 2000);
/** The dev broker keeps the newest 5 MB of each partition: about 35,000 of these records. */
const MESSAGES = Number(process.env.BENCH_STREAM_MESSAGES ?? 150_000);
const MODES = (process.env.BENCH_STREAM_MODES ?? 'detection,plain').split(',');
const PROFILE_DIR = process.env.BENCH_STREAM_CPU_PROF;
const NODE_ARGS = (process.env.BENCH_STREAM_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PARTITIONS = 6;
const PER_SEND = 5000;
/** A drain that makes no progress for this long fails the run instead of waiting forever. */
const STALL_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function records(deviceIds: string[], n: number): TelemetryRecord[] {
  const start = Date.now() - 3_600_000;
  const receivedAt = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => {
    const seq = i + 1;
    const m = telemetryMessage(deviceIds[i % deviceIds.length]!, seq, { ts: new Date(start + (seq % 3_000_000)) });
    return { ...m, flows: m.flows.map((f) => ({ outbound: true, ...f })), events: [], receivedAt, via: 'http' };
  });
}

/** One scrape of /metrics, read by metric name (first series). */
async function scrape(url: string): Promise<(name: string) => number> {
  const lines = (await (await fetch(url)).text()).split('\n');
  return (name) => {
    const line = lines.find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
}

/** CPU time (user + system, ms) a process has used so far; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time of the Postgres backends serving the stream processor (this machine's Postgres). */
async function streamBackendsCpuMs(pool: SqlPool): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'warden-stream' AND datname = current_database()`);
  return rows.reduce((n, r) => n + cpuMs(r.pid), 0);
}

/** Waits until `count()` reaches `target`; throws when it stops moving for {@link STALL_MS}. */
async function drained(count: () => Promise<number>, target: number, what: string): Promise<{ firstAt: number; firstCount: number; endAt: number }> {
  let firstAt = 0;
  let firstCount = 0;
  let last = -1;
  let movedAt = performance.now();
  for (;;) {
    const n = await count().catch(() => last);
    const now = performance.now();
    if (n > 0 && !firstAt) {
      firstAt = now;
      firstCount = n;
    }
    if (n >= target) return { firstAt, firstCount, endAt: now };
    if (n !== last) {
      last = n;
      movedAt = now;
    } else if (now - movedAt > STALL_MS) throw new Error(`${what}: stuck at ${n} of ${target} for ${STALL_MS / 1000} s`);
    // Scraping /metrics costs the processor some CPU: not too often.
    await sleep(250);
  }
}

/** Raw engine 1: a bare kafkajs group reads the filled topic from the beginning. */
async function rawConsume(brokers: string[], target: number): Promise<number> {
  const kafka = new Kafka({ brokers, clientId: 'bench-stream-raw', logLevel: 0 });
  const consumer = await startRawConsumer(kafka, TOPICS.telemetry);
  try {
    // Timed from the first records read, as the stream processor is.
    await consumer.reach(1);
    const t0 = performance.now();
    const first = consumer.consumed();
    const end = await consumer.reach(target);
    return ((target - first) / (end - t0)) * 1000;
  } finally {
    await consumer.stop().catch(() => {});
  }
}

/** What a stream run leaves behind, so the next run starts from the same empty state. */
async function reset(pool: SqlPool): Promise<void> {
  await pool.query('TRUNCATE telemetry_points, device_contacts, device_state, device_detection_state');
  await pool.query('UPDATE devices SET last_seen_at = NULL');
}

interface Drain {
  rate: number;
  seconds: number;
  stored: number;
  /** CPU per message (µs): the stream process, and its Postgres backends. */
  nodeUs: number;
  pgUs: number;
  /** Records per Postgres transaction, on average. */
  perTransaction: number;
  peakMb: number;
}

async function drainWithStream(env: Record<string, string>, mode: string, pool: SqlPool): Promise<Drain> {
  const port = 5100 + Math.floor(Math.random() * 400);
  // One file per thread (the main thread is the one with the most samples); one folder per mode.
  const nodeArgs = [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${mode}`] : []), ...NODE_ARGS];
  const child: ChildProcess = startService('stream', { ...env, STREAM_PORT: String(port), STREAM_GROUP_ID: `bench-stream-${randomUUID()}`, DETECTION_ENABLED: String(mode === 'detection') }, nodeArgs);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitHttp(`http://127.0.0.1:${port}/ready`);
    const url = `http://127.0.0.1:${port}/metrics`;
    let cpuAtFirst: { node: number; pg: number } | undefined;
    let peakRss = 0;
    const count = async () => {
      const metric = await scrape(url);
      peakRss = Math.max(peakRss, metric('process_resident_memory_bytes'));
      const stored = metric('warden_stream_telemetry_stored_total') + metric('warden_stream_telemetry_duplicates_total');
      // With detection on, drained means both groups (storage and detection) are through.
      const n = mode === 'detection' ? Math.min(stored, metric('warden_stream_detection_records_total')) : stored;
      // CPU is counted from the first stored message on: start-up (module loading) is not drain work.
      if (n > 0 && !cpuAtFirst) cpuAtFirst = { node: cpuMs(child.pid!), pg: await streamBackendsCpuMs(pool) };
      return n;
    };
    const d = await drained(count, MESSAGES, `stream (${mode})`);
    const final = await scrape(url);
    const perTransaction = final('warden_stream_transaction_records_sum') / final('warden_stream_transaction_records_count');
    const node = cpuMs(child.pid!) - cpuAtFirst!.node;
    const pg = (await streamBackendsCpuMs(pool)) - cpuAtFirst!.pg;
    const drainedCount = MESSAGES - d.firstCount;
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry_points');
    return {
      rate: (drainedCount / (d.endAt - d.firstAt)) * 1000,
      seconds: (d.endAt - d.firstAt) / 1000,
      stored: Number(rows[0]!.n),
      nodeUs: (node * 1000) / drainedCount,
      pgUs: (pg * 1000) / drainedCount,
      perTransaction,
      peakMb: peakRss / 1024 / 1024,
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
  }
}

export async function run(): Promise<void> {
  const databases: TestDatabase[] = [];
  let broker: DevKafka | undefined;
  try {
    const [database, rawDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    databases.push(database, rawDb);
    const config = testConfig({ DATABASE_URL: database.url });
    const fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, DEVICES);
    const pool = createSqlPool(database.url, 2);
    const rawPool = createSqlPool(rawDb.url, 2);
    await Promise.all([maintainTelemetryPartitions(pool, { retentionDays: 30, aheadDays: 2 }), maintainTelemetryPartitions(rawPool, { retentionDays: 30, aheadDays: 2 })]);
    const all = records(fleet.devices.map((d) => d.id), MESSAGES);
    const avgFlows = all.reduce((n, m) => n + m.flows.length, 0) / all.length;
    console.log(`${MESSAGES} records over ${DEVICES} devices (${fmt(avgFlows, 1)} flows per record on average), ${PARTITIONS} partitions`);

    broker = await startDevKafka({ topics: { [TOPICS.telemetry]: PARTITIONS, [TOPICS.telemetryDlq]: 1, [TOPICS.deviceEvents]: 3, [TOPICS.alerts]: 1 } });
    const kafka = new Kafka({ brokers: broker.brokers, clientId: 'bench-stream-fill', logLevel: 0 });
    const producer = createProducer(kafka);
    await producer.connect();
    const header = { [SCHEMA_HEADER]: 'telemetry.v1' };
    for (let i = 0; i < all.length; i += PER_SEND) {
      await producer.send({
        topic: TOPICS.telemetry,
        acks: -1,
        compression: CompressionTypes.Snappy,
        messages: all.slice(i, i + PER_SEND).map((r) => ({ key: r.deviceId, value: JSON.stringify(r), headers: header })),
      });
    }
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPICS.telemetry);
    await admin.disconnect();
    if (offsets.some((o) => o.low !== '0')) {
      throw new Error(`the dev broker dropped the oldest records (it keeps 5 MB per partition): use fewer than ${MESSAGES} messages`);
    }

    const consumeRate = await rawConsume(broker.brokers, MESSAGES);
    const insertRate = await rawPointInsert(rawPool, all, (i) => all[i]!.receivedAt, 2);
    await rawPool.end();

    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.brokers.join(','),
      TOKEN_PEPPER: config.auth.tokenPepper,
      REDIS_PREFIX: `bench-${Date.now()}`,
      LIVENESS_SWEEP_SECONDS: '3600',
    };
    const rows: string[][] = [
      ['measure', 'messages/s', 'note'],
      ['raw kafkajs consume', fmt(consumeRate, 0), 'same topic from the beginning, JSON.parse per record'],
      ['raw bulk insert (UNNEST)', fmt(insertRate, 0), 'same rows, 2 connections, no upserts'],
    ];
    for (const mode of MODES) {
      await reset(pool);
      const r = await drainWithStream(env, mode, pool);
      if (r.stored !== MESSAGES) throw new Error(`stream (${mode}) stored ${r.stored} points of ${MESSAGES}`);
      rows.push([
        `stream drain (${mode})`,
        fmt(r.rate, 0),
        `${fmt(r.seconds, 1)} s, ${fmt((r.rate / Math.min(consumeRate, insertRate)) * 100, 0)}% of the slower raw engine; CPU per message: stream ${fmt(r.nodeUs, 0)} µs, its Postgres backends ${fmt(r.pgUs, 0)} µs; ${fmt(r.perTransaction, 0)} records per transaction, peak ${fmt(r.peakMb, 0)} MB resident`,
      ]);
    }
    await pool.end();
    console.log(table(rows));
    console.log(`load average at the end: ${os.loadavg().map((x) => fmt(x, 1)).join(' / ')} on ${os.cpus().length} cores (the rates depend on it; CPU per message much less)`);
  } finally {
    await broker?.stop();
    for (const d of databases) await d.drop().catch(() => {});
  }
}

/**
 * Telemetry benchmark (issue 3): HTTP batches (5–10 metrics and 0–5 flows per message) through
 * gateway → Kafka → stream processor → Postgres, every part on this machine, each service in its
 * own process as in production. Printed beside the raw engines measured in the same run:
 *  - bare kafkajs: produce + consume of the same record payloads (snappy, acks=all, same partitions);
 *  - bare Postgres: a bulk UNNEST insert of the same rows into the same time-partitioned table.
 * Targets: >= 25,000 messages/s sustained, >= 50% of the raw ceiling (the slower engine at its best),
 * p99 ingest-to-stored <= 1 s at half the maximum rate, each service <= 300 MB resident.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { TOPICS, type TelemetryRecord } from '@warden/contracts';
import { createSqlPool, maintainTelemetryPartitions, type SqlPool } from '@warden/db';
import { CompressionTypes, Kafka, startDevKafka, type DevKafka } from '@warden/runtime';
import { createTelemetryFleet, createTestDatabase, prepareTemplateDatabase, telemetryMessage, testConfig, type TestDatabase } from '@warden/testing';
import { fmt, freePorts, rawPointInsert, startService, table, verdict, waitHttp } from '../lib.js';
import { startRawConsumer, type RawConsumer } from '../raw-consumer.js';

const DEVICES = 2000;
const BATCH = 500;
const MESSAGES = Number(process.env.BENCH_TELEMETRY_MESSAGES ?? 300_000);
/** HTTP connections posting at once (BENCH_TELEMETRY_CONCURRENCY). */
const CONCURRENCY = Number(process.env.BENCH_TELEMETRY_CONCURRENCY ?? 8);
const PARTITIONS = 6;
/** Most records the raw producer may be ahead of its consumer (about 1.5 MB per partition, compressed). */
const RAW_WINDOW = 60_000;

type Msg = ReturnType<typeof telemetryMessage>;

function messages(deviceIds: string[], n: number, seqBase: number): Msg[] {
  const start = Date.now() - 3_600_000;
  return Array.from({ length: n }, (_, i) => {
    const seq = seqBase + i;
    return telemetryMessage(deviceIds[i % deviceIds.length]!, seq, { ts: new Date(start + (seq % 3_000_000)), metrics: 5 + (i % 6), flows: i % 6 });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/** Cumulative histogram buckets (le → count). */
function histogram(text: string, name: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of text.split('\n')) {
    const r = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\d+)`).exec(l);
    if (r) m.set(r[1] === '+Inf' ? Infinity : Number(r[1]), Number(r[2]));
  }
  return m;
}

/** p-quantile of the observations between two scrapes, linearly interpolated inside its bucket. */
function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1]!;
  const target = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= target) {
      if (!Number.isFinite(bounds[i]!)) return prevBound;
      const inBucket = counts[i]! - prevCount;
      return prevBound + ((bounds[i]! - prevBound) * (target - prevCount)) / Math.max(1, inBucket);
    }
    prevBound = bounds[i]!;
    prevCount = counts[i]!;
  }
  return NaN;
}

async function storedCount(pool: SqlPool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry_points');
  return Number(rows[0]!.n);
}

/** Sends pre-serialised bodies with `concurrency` keep-alive connections; optional pacing in messages/s. */
async function drive(port: number, token: string, bodies: string[], opts: { concurrency: number; ratePerSecond?: number }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/device/v1/telemetry', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `GatewayToken ${token}`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      if (opts.ratePerSecond) {
        const due = t0 + ((i * BATCH) / opts.ratePerSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      let status = await post(bodies[i]!);
      // Backpressure answers are part of the contract: wait as told and send again.
      while (status === 429 || status === 503) {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await sleep(200);
        status = await post(bodies[i]!);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  return { ms: performance.now() - t0, statuses };
}

/**
 * Raw engine 1: kafkajs produce + consume of the same records, same broker kind and partitions.
 * The clock starts once the group has its partitions. The producer stays at most
 * {@link RAW_WINDOW} records ahead of the consumer: the dev broker keeps only the newest 5 MB of
 * each partition (librdkafka's mock cluster), so a consumer further behind would find its next
 * records gone. A consumer that stops receiving fails the run with what each partition delivered.
 */
async function rawKafka(records: string[], keys: string[], perSend: number): Promise<number> {
  const broker: DevKafka = await startDevKafka({ topics: { raw: PARTITIONS } });
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'bench-raw', logLevel: 0 });
  const producer = kafka.producer();
  let consumer: RawConsumer | undefined;
  try {
    await producer.connect();
    const c = (consumer = await startRawConsumer(kafka, 'raw'));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next;
          next += perSend;
          if (i >= records.length) return;
          if (i + perSend - c.consumed() > RAW_WINDOW) await c.reach(i + perSend - RAW_WINDOW);
          await producer.send({
            topic: 'raw',
            acks: -1,
            compression: CompressionTypes.Snappy,
            messages: records.slice(i, i + perSend).map((value, j) => ({ key: keys[i + j]!, value })),
          });
        }
      }),
    );
    const end = await c.reach(records.length);
    return (records.length / (end - t0)) * 1000;
  } finally {
    await consumer?.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
}

export async function run(): Promise<void> {
  const databases: TestDatabase[] = [];
  const children: ChildProcess[] = [];
  let broker: DevKafka | undefined;
  try {
    await prepareTemplateDatabase();
    const [database, rawDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    databases.push(database, rawDb);
    const config = testConfig({ DATABASE_URL: database.url });
    const fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, DEVICES);
    const ids = fleet.devices.map((d) => d.id);
    const pool = createSqlPool(database.url, 2);
    const rawPool = createSqlPool(rawDb.url, 3);
    await Promise.all([maintainTelemetryPartitions(pool, { retentionDays: 30, aheadDays: 2 }), maintainTelemetryPartitions(rawPool, { retentionDays: 30, aheadDays: 2 })]);

    // Same payloads for every measurement.
    const all = messages(ids, MESSAGES, 1);
    const receivedAt = new Date().toISOString();
    const records = all.map((m) => JSON.stringify({ ...m, flows: m.flows.map((f) => ({ outbound: true, ...f })), events: [], receivedAt, via: 'http' } satisfies TelemetryRecord));
    const avgFlows = all.reduce((n, m) => n + m.flows.length, 0) / all.length;
    const avgMetrics = all.reduce((n, m) => n + Object.keys(m.metrics).length, 0) / all.length;
    console.log(`${MESSAGES} messages over ${DEVICES} devices, ${fmt(avgMetrics, 1)} metrics and ${fmt(avgFlows, 1)} flows per message on average, ${BATCH} per HTTP batch`);

    const keys = all.map((m) => m.deviceId);
    // One send per HTTP batch (what a gateway without cross-request batching does), and kafkajs at
    // its best (large sends); the ceiling uses the best.
    const kafkaPerBatch = await rawKafka(records, keys, BATCH);
    const kafkaRate = await rawKafka(records, keys, 5000);
    const insertRate = await rawPointInsert(rawPool, all, () => receivedAt, 3);
    await rawPool.end();

    // --- Warden: gateway and stream processor as their own processes --------------------------
    broker = await startDevKafka({ topics: { [TOPICS.telemetry]: PARTITIONS, [TOPICS.telemetryDlq]: 1, [TOPICS.deviceEvents]: 3, [TOPICS.alerts]: 1, [TOPICS.containment]: 1 } });
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.brokers.join(','),
      TOKEN_PEPPER: config.auth.tokenPepper,
      REDIS_PREFIX: `bench-${Date.now()}`,
      GATEWAY_PORT: '0',
      STREAM_PORT: '0',
      MQTT_ENABLED: 'false',
      TELEMETRY_RATE_LIMIT_GATEWAY: '100000000',
      DEVICE_IP_RATE_LIMIT: '100000000',
      LIVENESS_SWEEP_SECONDS: '3600',
      STREAM_GROUP_ID: `bench-${Date.now()}`,
    };
    const [gatewayPort, streamPort, gatewayOps] = (await freePorts(3)) as [number, number, number];
    children.push(startService('gateway', { ...env, GATEWAY_PORT: String(gatewayPort), GATEWAY_OPS_PORT: String(gatewayOps) }));
    children.push(startService('stream', { ...env, STREAM_PORT: String(streamPort) }));
    await Promise.all([waitHttp(`http://127.0.0.1:${gatewayOps}/ready`), waitHttp(`http://127.0.0.1:${streamPort}/ready`)]);
    await sleep(4000); // consumer group settles

    const peak = { gateway: 0, stream: 0 };
    const sampler = setInterval(() => {
      void Promise.all([scrape(`http://127.0.0.1:${gatewayOps}/metrics`), scrape(`http://127.0.0.1:${streamPort}/metrics`)]).then(([g, s]) => {
        peak.gateway = Math.max(peak.gateway, metricValue(g, 'process_resident_memory_bytes'));
        peak.stream = Math.max(peak.stream, metricValue(s, 'process_resident_memory_bytes'));
      }, () => {});
    }, 250);

    // Phase 1: as fast as it goes, end to end (sent and stored).
    const bodies: string[] = [];
    for (let i = 0; i < all.length; i += BATCH) bodies.push(JSON.stringify({ messages: all.slice(i, i + BATCH) }));
    const t0 = performance.now();
    const sent = await drive(gatewayPort, fleet.gatewayToken, bodies, { concurrency: CONCURRENCY });
    let stored = 0;
    let last = -1;
    let movedAt = performance.now();
    while ((stored = await storedCount(pool)) < MESSAGES) {
      if (stored !== last) {
        last = stored;
        movedAt = performance.now();
      } else if (performance.now() - movedAt > 60_000) {
        // The dev broker keeps 5 MB per partition: a stream processor further behind than that
        // never sees the records it missed.
        throw new Error(`only ${stored} of ${MESSAGES} stored, and nothing more for 60 s (did the stream fall more than the dev broker's 5 MB per partition behind?)`);
      }
      if (performance.now() - t0 > 300_000) throw new Error(`only ${stored} of ${MESSAGES} stored after 5 minutes`);
      await sleep(50);
    }
    const totalMs = performance.now() - t0;
    const rate = (MESSAGES / totalMs) * 1000;
    const acceptRate = (MESSAGES / sent.ms) * 1000;

    // Phase 2: half that rate, for latency.
    const half = rate / 2;
    const phase2 = messages(ids, Math.min(MESSAGES / 2, Math.round(half * 8)), MESSAGES + 1);
    const bodies2: string[] = [];
    for (let i = 0; i < phase2.length; i += BATCH) bodies2.push(JSON.stringify({ messages: phase2.slice(i, i + BATCH) }));
    const before = histogram(await scrape(`http://127.0.0.1:${streamPort}/metrics`), 'warden_stream_ingest_to_stored_seconds');
    await drive(gatewayPort, fleet.gatewayToken, bodies2, { concurrency: CONCURRENCY, ratePerSecond: half });
    while ((await storedCount(pool)) < MESSAGES + phase2.length) await sleep(50);
    const streamMetrics = await scrape(`http://127.0.0.1:${streamPort}/metrics`);
    const after = histogram(streamMetrics, 'warden_stream_ingest_to_stored_seconds');
    const transactions = metricValue(streamMetrics, 'warden_stream_transaction_records_count');
    const gatewayMetrics = await scrape(`http://127.0.0.1:${gatewayOps}/metrics`);
    const gc = (text: string) =>
      ['minor', 'major', 'incremental']
        .map((kind) => `${kind} ${fmt(metricValue(text.split('\n').filter((l) => l.includes(`kind="${kind}"`)).join('\n'), 'nodejs_gc_duration_seconds_sum'), 1)} s`)
        .join(', ');
    const cpu = (text: string) => fmt(metricValue(text, 'process_cpu_seconds_total'), 1);
    clearInterval(sampler);
    const p50 = quantileBetween(before, after, 0.5) * 1000;
    const p99 = quantileBetween(before, after, 0.99) * 1000;

    const { rows } = await pool.query<{ dup: string }>('SELECT count(*) - count(DISTINCT (device_id, seq)) AS dup FROM telemetry_points');
    await pool.end();
    const ceiling = Math.min(kafkaRate, insertRate);
    const mb = (b: number) => fmt(b / 1024 / 1024, 0);
    console.log(
      table([
        ['measure', 'messages/s', 'note'],
        ['raw kafkajs produce+consume', fmt(kafkaPerBatch, 0), `same records, ${BATCH} per send, snappy, acks=all, one consumer`],
        ['raw kafkajs produce+consume', fmt(kafkaRate, 0), 'same, 5,000 per send (kafkajs at its best)'],
        ['raw bulk insert (UNNEST)', fmt(insertRate, 0), 'same rows, 3 connections, no upserts'],
        ['raw ceiling (slower of the two)', fmt(ceiling, 0), ''],
        ['Warden accepted (HTTP 202)', fmt(acceptRate, 0), `gateway, ${CONCURRENCY} connections; statuses ${JSON.stringify(Object.fromEntries(sent.statuses))}`],
        ['Warden end to end (stored)', fmt(rate, 0), `${fmt(totalMs / 1000, 1)} s for ${MESSAGES}: points + contacts + state + last_seen`],
      ]),
    );
    console.log(`latency at ${fmt(half, 0)} msg/s (half of max): p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms (gateway receipt → committed in Postgres)`);
    console.log(`storage: ${fmt(transactions, 0)} transactions, ${fmt((MESSAGES + phase2.length) / transactions, 0)} records each on average`);
    console.log(`CPU: gateway ${cpu(gatewayMetrics)} s (GC ${gc(gatewayMetrics)}), stream ${cpu(streamMetrics)} s (GC ${gc(streamMetrics)})`);
    console.log(`peak resident memory: gateway ${mb(peak.gateway)} MB, stream ${mb(peak.stream)} MB; duplicate points: ${rows[0]!.dup}`);
    console.log(verdict(rate >= 25_000, `>= 25,000 messages/s sustained (${fmt(rate, 0)})`));
    console.log(verdict(rate >= ceiling / 2, `>= 50% of the raw ceiling (${fmt((rate / ceiling) * 100, 0)}%)`));
    console.log(verdict(p99 <= 1000, `p99 <= 1 s at half the maximum rate (${fmt(p99, 0)} ms)`));
    console.log(verdict(Math.max(peak.gateway, peak.stream) <= 300 * 1024 * 1024, `each service <= 300 MB (gateway ${mb(peak.gateway)}, stream ${mb(peak.stream)})`));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(500);
    await broker?.stop();
    for (const d of databases) await d.drop().catch(() => {});
  }
}

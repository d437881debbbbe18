/**
 * Alert latency under load: the gateway and the stream processor run as their own processes in
 * production mode on the dev Kafka broker; 10,000 messages/s of ordinary telemetry (HTTP batches of
 * 500 under a gateway token) flow in the background while, four times a second, a fresh device
 * posts one worm-like scan (14 internal peers on telnet/SMB). Latency is from just before the
 * scan's POST to the alert arriving on warden.alerts.v1 (a kafkajs consumer in this process).
 * Beside it, the raw floor: a bare kafkajs produce → consume probe on the same broker, same load.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { TOPICS } from '@warden/contracts';
import { createSqlPool, maintainTelemetryPartitions } from '@warden/db';
import { Kafka, startDevKafka, type DevKafka } from '@warden/runtime';
import { createTelemetryFleet, createTestDatabase, scanMessage, telemetryMessage, testConfig, type TestDatabase } from '@warden/testing';
import { freePorts, startService, waitHttp } from '../lib.js';

const DEVICES = 10_000;
const SCANNERS = 1_000; // the last 1,000 devices only scan, each once
const RATE = Number(process.env.BENCH_ALERT_RATE ?? 10_000);
const BATCH = 500;
const WARMUP_S = 10;
const MEASURE_S = Number(process.env.BENCH_ALERT_SECONDS ?? 60);
const SCANS_PER_S = 4;
const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AlertFigures {
  alert: number[];
  probe: number[];
  sent: number;
  backgroundRate: number;
  seconds: number;
  lagAtEnd: number;
  /** Messages the stream stored per second over the run (its capacity under this load). */
  storedRate: number;
}


function poster(port: number, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const post = (body: string, auth: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/device/v1/telemetry', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: auth, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

export async function measureAlertLatency(log: (s: string) => void): Promise<AlertFigures> {
  const children: ChildProcess[] = [];
  let broker: DevKafka | undefined;
  let database: TestDatabase | undefined;
  const kafkaClients: { disconnect(): Promise<void> }[] = [];
  try {
    database = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: database.url });
    log(`alert latency: ${DEVICES} devices, ${RATE} messages/s of background telemetry, ${SCANS_PER_S} scans/s for ${MEASURE_S} s after ${WARMUP_S} s of warm-up`);
    const fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, DEVICES);
    const pool = createSqlPool(database.url, 2);
    await maintainTelemetryPartitions(pool, { retentionDays: 30, aheadDays: 2 });
    const background = fleet.devices.slice(0, DEVICES - SCANNERS);
    const scanners = fleet.devices.slice(DEVICES - SCANNERS);

    broker = await startDevKafka({ topics: { ...Object.fromEntries(Object.values(TOPICS).map((t) => [t, t === TOPICS.telemetry ? PARTITIONS : 3])), probe: PARTITIONS } });
    const tag = Date.now();
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.brokers.join(','),
      TOKEN_PEPPER: config.auth.tokenPepper,
      REDIS_PREFIX: `bench-${tag}`,
      MQTT_ENABLED: 'false',
      TELEMETRY_RATE_LIMIT_GATEWAY: '100000000',
      DEVICE_IP_RATE_LIMIT: '100000000',
      LIVENESS_SWEEP_SECONDS: '3600',
      STREAM_GROUP_ID: `bench-${tag}`,
    };
    const [gatewayPort, streamPort, detectorPort, gatewayOps] = (await freePorts(4)) as [number, number, number, number];
    children.push(startService('gateway', { ...env, GATEWAY_PORT: String(gatewayPort), GATEWAY_OPS_PORT: String(gatewayOps) }));
    // Storage and detection as their own processes, as infra/compose runs them.
    children.push(startService('stream', { ...env, STREAM_PORT: String(streamPort), DETECTION_ENABLED: 'false' }));
    children.push(startService('stream', { ...env, STREAM_PORT: String(detectorPort), STREAM_STORAGE_ENABLED: 'false' }));
    await Promise.all([gatewayOps, streamPort, detectorPort].map((port) => waitHttp(`http://127.0.0.1:${port}/ready`)));

    // Alerts and the probe, consumed in this process.
    const kafka = new Kafka({ brokers: broker.brokers, clientId: 'bench-response', logLevel: 0 });
    const sentAt = new Map<string, number>();
    const alert: number[] = [];
    const consumer = kafka.consumer({ groupId: `bench-alerts-${tag}`, maxWaitTimeInMs: 20 });
    kafkaClients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.alerts, 'probe'], fromBeginning: true });
    const probe: number[] = [];
    void consumer.run({
      eachMessage: async ({ topic, message }) => {
        const now = Date.now();
        if (topic === 'probe') {
          probe.push(now - Number(message.value!.toString()));
          return;
        }
        const a = JSON.parse(message.value!.toString()) as { rule: string; deviceId: string | null };
        const t = a.deviceId ? sentAt.get(a.deviceId) : undefined;
        if (a.rule === 'WORM_FAN_OUT' && t !== undefined) {
          alert.push(now - t);
          sentAt.delete(a.deviceId!);
        }
      },
    });
    const producer = kafka.producer();
    kafkaClients.push(producer);
    await producer.connect();
    await sleep(4000); // the consumer groups settle

    // Background telemetry, paced.
    const bg = poster(gatewayPort, 8);
    const auth = `GatewayToken ${fleet.gatewayToken}`;
    let seq = 0;
    let accepted = 0;
    let stop = false;
    const t0 = performance.now();
    const total = RATE * (WARMUP_S + MEASURE_S);
    const backgroundDone = (async () => {
      let next = 0;
      const workers = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const i = next++;
          if (i * BATCH >= total) return;
          const due = t0 + ((i * BATCH) / RATE) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const start = Date.now() - 600_000;
          const messages = Array.from({ length: BATCH }, (_, k) => {
            const s = ++seq;
            return telemetryMessage(background[(i * BATCH + k) % background.length]!.id, s, { ts: new Date(start + (s % 500_000)) });
          });
          let status = await bg.post(JSON.stringify({ messages }), auth);
          while (status === 429 || status === 503) {
            await sleep(100);
            status = await bg.post(JSON.stringify({ messages }), auth);
          }
          if (status === 202) accepted += BATCH;
        }
      });
      await Promise.all(workers);
    })();

    await sleep(WARMUP_S * 1000);
    const scanPost = poster(gatewayPort, 4);
    let sent = 0;
    const scansStart = performance.now();
    const scanning: Promise<unknown>[] = [];
    for (let i = 0; i < MEASURE_S * SCANS_PER_S && i < scanners.length; i++) {
      const due = scansStart + (i * 1000) / SCANS_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const d = scanners[i]!;
      sentAt.set(d.id, Date.now());
      sent++;
      scanning.push(scanPost.post(JSON.stringify({ messages: [scanMessage(d.id, { subnet: 200 + (i % 50) })] }), `TargetToken ${d.token}`));
      void producer.send({ topic: 'probe', messages: [{ key: String(i), value: String(Date.now()) }] });
    }
    await Promise.all(scanning);
    const measured = (performance.now() - t0) / 1000;
    const acceptedAtEnd = accepted;
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry_points');
    const stored = Number(rows[0]!.n);
    const lagAtEnd = Math.max(0, acceptedAtEnd - stored);
    stop = true;
    await backgroundDone;
    // Stragglers: wait up to 15 s for the last alerts.
    const deadline = Date.now() + 15_000;
    while (alert.length < sent && Date.now() < deadline) await sleep(100);
    bg.close();
    scanPost.close();
    await pool.end();
    return { alert: alert.sort((a, b) => a - b), probe: probe.sort((a, b) => a - b), sent, backgroundRate: acceptedAtEnd / measured, seconds: measured, lagAtEnd, storedRate: stored / measured };
  } finally {
    for (const c of kafkaClients) await c.disconnect().catch(() => {});
    for (const c of children) c.kill('SIGTERM');
    await sleep(1000);
    await broker?.stop();
    await database?.drop().catch(() => {});
  }
}

import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type DeviceEvent, type TelemetryDlqRecord } from '@warden/contracts';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createGatewayService } from '@warden/gateway';
import { createProducer, Kafka, type DevKafka } from '@warden/runtime';
import {
  createTelemetryFleet,
  createTestDatabase,
  startTestKafka,
  telemetryMessage,
  telemetryTestConfig,
  type FleetFixture,
  type TestDatabase,
} from '@warden/testing';
import { createStreamService } from '../src/main.js';
import { storedCounts, topicValues, waitFor } from './helpers.js';

/**
 * The whole telemetry path with real parts: HTTP and MQTT into the gateway, the dev Kafka broker,
 * the stream processor and Postgres.
 */
let database: TestDatabase;
let kafka: DevKafka;
let pool: SqlPool;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let stream: Awaited<ReturnType<typeof createStreamService>>;
let fleet: FleetFixture;
let gatewayUrl: string;
let streamUrl: string;
const mqttRoot = `wtest-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 4 })]);
  const config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    MQTT_TELEMETRY_TOPIC: `${mqttRoot}/devices/+/telemetry`,
    LIVENESS_DEFAULT_INTERVAL_SECONDS: '1',
    LIVENESS_GRACE_FACTOR: '1',
    LIVENESS_SWEEP_SECONDS: '0.3',
  });
  fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 4);
  pool = createSqlPool(database.url, 2);
  gateway = await createGatewayService(config);
  stream = await createStreamService(config);
  const [g, s] = await Promise.all([gateway.start(0, '127.0.0.1'), stream.start(0, '127.0.0.1')]);
  gatewayUrl = `http://127.0.0.1:${g}`;
  streamUrl = `http://127.0.0.1:${s}`;
});

afterAll(async () => {
  await gateway?.stop();
  await stream?.stop();
  await pool?.end();
  await kafka?.stop();
  await database?.drop();
});

const post = (token: string, messages: unknown[], scheme = 'TargetToken') =>
  fetch(`${gatewayUrl}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `${scheme} ${token}` },
    body: JSON.stringify({ messages }),
  });

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${streamUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('telemetry pipeline', () => {
  const t0 = new Date(Date.now() - 60_000);
  const at = (s: number) => new Date(t0.getTime() + s * 1000);

  it('stores HTTP batches in device state, the time series and the contact graph', async () => {
    const d = fleet.devices[0]!;
    const batch = [1, 2, 3].map((seq) => telemetryMessage(d.id, seq, { ts: at(seq), flows: 2 }));
    batch[2] = { ...batch[2]!, metrics: { cpu: 99.5, temperature: 41 }, firmware: { version: '2.0.0' }, ip: '10.20.0.99' } as never;
    expect((await post(d.token, batch)).status).toBe(202);

    await waitFor(() => storedCounts(pool), (c) => c.points >= 3, 20_000, 'points');
    const { rows: state } = await pool.query('SELECT * FROM device_state WHERE device_id = $1', [d.id]);
    expect(state[0]).toMatchObject({ online: true, firmware_version: '2.0.0', ip: '10.20.0.99', last_seq: '3' });
    // Metrics merge: the newest message's values win, older ones fill in what it did not report.
    expect(state[0].metrics).toMatchObject({ cpu: 99.5, temperature: 41, memory: expect.any(Number) });
    const { rows: dev } = await pool.query('SELECT last_seen_at FROM devices WHERE id = $1', [d.id]);
    expect(dev[0].last_seen_at).not.toBeNull();
    const { rows: contacts } = await pool.query('SELECT peer_ip, port, count FROM device_contacts WHERE device_id = $1 ORDER BY peer_ip, port', [d.id]);
    expect(contacts.reduce((n, c: { count: string }) => n + Number(c.count), 0)).toBe(6);
  });

  it('stores messages sent over MQTT by a real MQTT client', async () => {
    const d = fleet.devices[1]!;
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    try {
      const messages = [10, 11].map((seq) => ({ ...telemetryMessage(d.id, seq, { ts: at(seq) }), deviceId: undefined }));
      // A payload nested past what can be serialised is refused without holding up what follows it.
      await client.publishAsync(`${mqttRoot}/devices/${d.id}/telemetry`, `${'['.repeat(100_000)}${']'.repeat(100_000)}`, { qos: 1 });
      await client.publishAsync(`${mqttRoot}/devices/${d.id}/telemetry`, JSON.stringify({ token: d.token, messages }), { qos: 1 });
      // Another device's token may not publish on this device's topic.
      const other = fleet.devices[2]!;
      await client.publishAsync(`${mqttRoot}/devices/${d.id}/telemetry`, JSON.stringify({ token: other.token, messages: [telemetryMessage(d.id, 12)] }), { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const { rows } = await waitFor(
      () => pool.query<{ seq: string }>('SELECT seq FROM telemetry_points WHERE device_id = $1 ORDER BY seq', [d.id]),
      (r) => r.rows.length >= 2,
      20_000,
      'MQTT points',
    );
    expect(rows.map((r) => r.seq)).toEqual(['10', '11']);
    const dlq = await waitFor(
      () => topicValues<TelemetryDlqRecord>(kafka.brokers, TOPICS.telemetryDlq),
      (all) => all.some((r) => r.via === 'mqtt' && r.reason === 'FORBIDDEN'),
      10_000,
      'MQTT forbidden DLQ record',
    );
    expect(JSON.stringify(dlq)).not.toContain(fleet.devices[2]!.token);
  });

  it('stores a replayed batch once: no duplicate points, contacts counted once', async () => {
    const d = fleet.devices[2]!;
    const batch = [20, 21, 22].map((seq) => telemetryMessage(d.id, seq, { ts: at(seq), flows: 3 }));
    expect((await post(d.token, batch)).status).toBe(202);
    const mine = () => pool.query('SELECT 1 FROM telemetry_points WHERE device_id = $1', [d.id]).then((r) => r.rowCount ?? 0);
    await waitFor(mine, (n) => n === 3, 20_000, 'first delivery');
    const before = await storedCounts(pool);
    const dupsBefore = await metric('warden_stream_telemetry_duplicates_total');

    expect((await post(d.token, batch)).status).toBe(202);
    await waitFor(() => metric('warden_stream_telemetry_duplicates_total'), (n) => n >= dupsBefore + 3, 20_000, 'replay processed');
    const after = await storedCounts(pool);
    expect(after).toEqual(before);
    expect(after.points).toBe(after.distinctPoints);
  });

  it('puts a malformed message in the DLQ with its reason while the valid messages of its batch are stored', async () => {
    const d = fleet.devices[3]!;
    const res = await post(d.token, [
      telemetryMessage(d.id, 30, { ts: at(30) }),
      { deviceId: d.id, seq: 31, ts: 'yesterday', metrics: {} },
      telemetryMessage(d.id, 32, { ts: at(32) }),
    ]);
    expect(res.status).toBe(422);
    const { rows } = await waitFor(
      () => pool.query<{ seq: string }>('SELECT seq FROM telemetry_points WHERE device_id = $1 ORDER BY seq', [d.id]),
      (r) => r.rows.length >= 2,
      20_000,
      'valid points',
    );
    expect(rows.map((r) => r.seq)).toEqual(['30', '32']);
    const dlq = await topicValues<TelemetryDlqRecord>(kafka.brokers, TOPICS.telemetryDlq);
    expect(dlq.find((r) => r.deviceId === d.id && r.reason === 'INVALID')).toMatchObject({ index: 1, errors: [{ path: 'ts' }] });
  });

  it('refuses records on the topic that it could not store, each with its reason, and stores the rest of their batch', async () => {
    const d = fleet.devices[3]!;
    const client = new Kafka({ brokers: kafka.brokers, clientId: 'pipeline-test', logLevel: 0 });
    const producer = createProducer(client);
    await producer.connect();
    const receivedAt = new Date().toISOString();
    const countedBefore = { storage: await metric('warden_stream_telemetry_unreadable_total'), detection: await metric('warden_stream_detection_unreadable_total') };
    const record = (seq: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ ...telemetryMessage(d.id, seq, { ts: at(seq), flows: 1 }), events: [], receivedAt, via: 'http', ...extra });
    try {
      // One key, so one partition and one batch: what a foreign producer might write beside the gateway.
      await producer.send({
        topic: TOPICS.telemetry,
        acks: -1,
        messages: [
          { key: d.id, value: record(50) },
          { key: d.id, value: record(51, { flows: [{ peer: 'printer.local', port: 9100, protocol: 'tcp' }] }) },
          { key: d.id, value: '{"deviceId": ' },
          { key: d.id, value: record(52, { ip: '10.20.0.300' }) },
          // Values Postgres cannot take, each of which used to fail the batch for good.
          { key: d.id, value: record(54, { events: [{ type: 'OTHER', detail: 'nul \u0000 here', count: 1 }] }) },
          { key: d.id, value: record(57, { firmware: { version: 'lone \ud800 surrogate' } }) },
          { key: d.id, value: record(55, { ts: '0000-06-01T00:00:00.000Z' }) },
          { key: d.id, value: record(56, { flows: Array.from({ length: 40 }, () => ({ peer: '10.20.9.9', port: 22, protocol: 'tcp', outbound: true, bytes: Number.MAX_SAFE_INTEGER, packets: Number.MAX_SAFE_INTEGER })) }) },
          { key: d.id, value: record(53) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const { rows } = await waitFor(
      () => pool.query<{ seq: string }>('SELECT seq FROM telemetry_points WHERE device_id = $1 AND seq >= 50 ORDER BY seq', [d.id]),
      (r) => r.rows.length >= 3,
      20_000,
      'the readable records',
    );
    expect(rows.map((r) => r.seq)).toEqual(['50', '53', '56']);
    // Absurd counts saturate instead of failing the write.
    const { rows: sums } = await pool.query<{ bytes: string }>(`SELECT bytes::text FROM device_contacts WHERE device_id = $1 AND peer_ip = '10.20.9.9'`, [d.id]);
    expect(BigInt(sums[0]!.bytes)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    const dlq = await waitFor(
      () => topicValues<TelemetryDlqRecord>(kafka.brokers, TOPICS.telemetryDlq),
      (all) => all.filter((r) => r.via === 'stream' && r.reason === 'INVALID').length >= 6,
      10_000,
      'stream DLQ records',
    );
    const reasons = dlq.filter((r) => r.via === 'stream' && r.reason === 'INVALID').map((r) => r.message.replace(/^.*is not telemetry\.v1: /, ''));
    // The DLQ has several partitions: no order across them.
    expect(reasons.sort()).toEqual([
      'a string contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate',
      'a string contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate',
      'flows.0.peer: not an IP address',
      'ip: not an IP address',
      'not JSON',
      'ts: before year 1 (Postgres has no year 0)',
    ]);
    // Both groups count what they could not read; only storage sends it to the DLQ (above).
    expect(await metric('warden_stream_telemetry_unreadable_total')).toBe(countedBefore.storage + 6);
    await waitFor(() => metric('warden_stream_detection_unreadable_total'), (n) => n === countedBefore.detection + 6, 10_000, 'detection counting the unreadable records');
  });

  it('sends a record Postgres refuses to the DLQ with its reason and stores the rest of its batch', async () => {
    const d = fleet.devices[3]!;
    const unstorableBefore = await metric('warden_stream_telemetry_unstorable_total');
    // Stands for any value the gateway's and the stream's checks let through and Postgres refuses.
    // The batch holding one used to fail its transaction forever, stalling its partition.
    await pool.query(`ALTER TABLE telemetry_points ADD CONSTRAINT refuses_seq_71 CHECK (device_id <> '${d.id}' OR seq <> 71)`);
    try {
      const messages = [70, 71, 72, 73].map((seq) => telemetryMessage(d.id, seq, { ts: at(seq), flows: 1 }));
      expect((await post(d.token, messages)).status).toBe(202);
      await waitFor(() => metric('warden_stream_telemetry_unstorable_total'), (n) => n === unstorableBefore + 1, 20_000, 'the record refused');
    } finally {
      await pool.query('ALTER TABLE telemetry_points DROP CONSTRAINT refuses_seq_71');
    }
    const { rows } = await waitFor(
      () => pool.query<{ seq: string }>('SELECT seq FROM telemetry_points WHERE device_id = $1 AND seq >= 70 ORDER BY seq', [d.id]),
      (r) => r.rows.length >= 3,
      20_000,
      'the storable records',
    );
    expect(rows.map((r) => r.seq)).toEqual(['70', '72', '73']);
    const dlq = await waitFor(
      () => topicValues<TelemetryDlqRecord>(kafka.brokers, TOPICS.telemetryDlq),
      (all) => all.some((r) => r.reason === 'UNSTORABLE'),
      10_000,
      'the refused record in the DLQ',
    );
    const refused = dlq.filter((r) => r.reason === 'UNSTORABLE');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ deviceId: d.id, via: 'stream' });
    expect(refused[0]!.message).toMatch(/seq 71\).*violates check constraint "refuses_seq_71".*SQLSTATE 23514/);
    expect(JSON.parse(refused[0]!.payload!)).toMatchObject({ seq: 71, deviceId: d.id });
    // The partition moves on: later telemetry is stored as usual.
    expect((await post(d.token, [telemetryMessage(d.id, 74, { ts: at(74) })])).status).toBe(202);
    await waitFor(() => pool.query('SELECT 1 FROM telemetry_points WHERE device_id = $1 AND seq = 74', [d.id]).then((r) => r.rowCount), (n) => n === 1, 20_000, 'the next record');
  });

  it('stores a batch once Postgres takes writes again, after failing to (nothing lost, nothing twice)', async () => {
    const d = fleet.devices[0]!;
    const mine = () => pool.query('SELECT 1 FROM telemetry_points WHERE device_id = $1 AND seq >= 40', [d.id]).then((r) => r.rowCount ?? 0);
    const contactReports = () =>
      pool.query<{ n: string }>('SELECT coalesce(sum(count), 0) AS n FROM device_contacts WHERE device_id = $1', [d.id]).then((r) => Number(r.rows[0]!.n));
    const reportsBefore = await contactReports();
    // Writes to the contact graph fail (and with them the whole batch) until the table is back.
    await pool.query('ALTER TABLE device_contacts RENAME TO device_contacts_away');
    try {
      expect((await post(d.token, [40, 41].map((seq) => telemetryMessage(d.id, seq, { ts: at(seq), flows: 2 })))).status).toBe(202);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await mine()).toBe(0);
    } finally {
      await pool.query('ALTER TABLE device_contacts_away RENAME TO device_contacts');
    }
    await waitFor(mine, (n) => n === 2, 30_000, 'the batch after Postgres recovered');
    expect(await contactReports()).toBe(reportsBefore + 4);
  });

  it('announces devices ONLINE when heard and OFFLINE when silent past their interval', async () => {
    const events = await waitFor(
      () => topicValues<DeviceEvent>(kafka.brokers, TOPICS.deviceEvents),
      (all) => fleet.devices.every((d) => all.some((e) => e.deviceId === d.id && e.type === 'OFFLINE')),
      20_000,
      'OFFLINE events',
    );
    const first = fleet.devices[0]!;
    const mine = events.filter((e) => e.deviceId === first.id).map((e) => e.type);
    expect(mine[0]).toBe('ONLINE');
    expect(mine).toContain('OFFLINE');
    expect(events.find((e) => e.deviceId === first.id)).toMatchObject({ segmentId: fleet.segmentId });
    const { rows } = await pool.query('SELECT online FROM device_state WHERE device_id = $1', [first.id]);
    expect(rows[0].online).toBe(false);
  });
});

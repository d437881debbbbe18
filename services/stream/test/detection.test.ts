import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApi, type Api } from '@warden/api';
import { createUser, SYSTEM_ACTOR, type Role } from '@warden/core';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createGatewayService } from '@warden/gateway';
import { createLogger, createRedis, type DevKafka, type Redis } from '@warden/runtime';
import {
  createTelemetryFleet,
  createTestDatabase,
  startTestKafka,
  telemetryTestConfig,
  testRedisPrefix,
  TEST_REDIS_URL,
  type FleetFixture,
  type TestDatabase,
  scanMessage,
  waitForDetection,
} from '@warden/testing';
import { TOPICS } from '@warden/contracts';
import type { AlertV1 } from '@warden/contracts/incidents';
import { createStreamService } from '../src/main.js';
import { topicValues, waitFor } from './helpers.js';

/**
 * Detection end to end with real parts: scanning telemetry into the gateway, the dev Kafka broker,
 * the stream processor (detection + correlation) and Postgres, then the API: queries, lifecycle
 * mutations and graphql-ws subscriptions fed through Redis pub/sub.
 */
let database: TestDatabase;
let kafka: DevKafka;
let pool: SqlPool;
let redis: Redis;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let stream: Awaited<ReturnType<typeof createStreamService>>;
let api: Api;
let fleet: FleetFixture;
let gatewayUrl: string;
let apiUrl: string;
let ws: Client;
let config: ReturnType<typeof telemetryTestConfig>;
const tokens = {} as Record<Role, string>;
const received: { alerts: { id: string; rule: string; device: { id: string } | null }[]; incidents: { change: string; incident: { id: string; status: string } }[] } = {
  alerts: [],
  incidents: [],
};

async function gql<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<{ data: T | null; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as never;
}

beforeAll(async () => {
  [database, kafka] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 2 })]);
  config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    MQTT_TELEMETRY_TOPIC: `wdet-${Date.now()}/devices/+/telemetry`,
    // The restarts below rejoin the groups; the dev broker frees a departed member's partitions
    // only when its session times out.
    STREAM_SESSION_TIMEOUT_MS: '6000',
  });
  fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 16);
  pool = createSqlPool(database.url, 2);
  redis = createRedis(config.redisUrl, { forRequests: true });
  gateway = await createGatewayService(config);
  stream = await createStreamService(config, { maintenance: false });
  api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api-test', config.logLevel) });
  const [g, , a] = await Promise.all([gateway.start(0, '127.0.0.1'), stream.start(0, '127.0.0.1'), api.listen(0, '127.0.0.1')]);
  gatewayUrl = `http://127.0.0.1:${g}`;
  apiUrl = `http://127.0.0.1:${a}`;
  for (const role of ['VIEWER', 'RESPONDER'] as const) {
    const email = `${role.toLowerCase()}@detect.test`;
    await createUser({ db: database.db, sql: database.sql, config }, SYSTEM_ACTOR, { email, name: role, password: `correct horse ${role} battery`, role });
    const r = await gql<{ login: { token: string } }>('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: `correct horse ${role} battery` }, '');
    tokens[role] = r.data!.login.token;
  }
  ws = createClient({ url: `ws://127.0.0.1:${a}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.VIEWER}` }, lazy: false });
  const subscribed = (query: string, sink: (data: any) => void) =>
    new Promise<void>((resolve, reject) => {
      ws.subscribe({ query }, { next: (r) => sink(r.data), error: reject, complete: () => {} });
      // graphql-ws acknowledges a subscription implicitly; give the Redis SUBSCRIBE a moment.
      setTimeout(resolve, 300);
    });
  await subscribed('subscription { alertRaised { id rule device { id } } }', (d) => received.alerts.push(d.alertRaised));
  await subscribed('subscription { incidentChanged { change incident { id status } } }', (d) => received.incidents.push(d.incidentChanged));
}, 60_000);

afterAll(async () => {
  await ws?.dispose();
  await gateway?.stop();
  await stream?.stop();
  await api?.stop();
  redis?.disconnect();
  await pool?.end();
  await kafka?.stop();
  await database?.drop();
});

const post = (token: string, messages: unknown[]) =>
  fetch(`${gatewayUrl}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `TargetToken ${token}` },
    body: JSON.stringify({ messages }),
  });

const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('detection end to end', () => {
  // 10 s into a minute: the scans of these tests (t0 to t0 + 5 s) fall in one fan-out window
  // bucket, so a second alert for the same device can only mean a duplicate.
  const t0 = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 50_000);
  const [a, b, quiet] = [0, 1, 2];

  it('turns a worm-like fan-out into alerts, one incident with a timeline, and live events', async () => {
    const infected = fleet.devices[a]!;
    expect((await post(infected.token, [scanMessage(infected.id, { seq: 1, ts: t0, peers: 14, subnet: 7 })])).status).toBe(202);
    // A device talking to a few peers on those ports is not a worm.
    expect((await post(fleet.devices[quiet]!.token, [scanMessage(fleet.devices[quiet]!.id, { seq: 1, ts: t0, peers: 3, subnet: 8 })])).status).toBe(202);

    await waitFor(() => count('SELECT count(*) AS n FROM alerts'), (n) => n >= 1, 20_000, 'the first alert');
    const { rows: alerts } = await pool.query('SELECT id, rule, device_id, incident_id, evidence FROM alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'WORM_FAN_OUT', device_id: infected.id, incident_id: expect.any(String) });

    // A second device of the same segment starts scanning: same incident, not a new one.
    const second = fleet.devices[b]!;
    expect((await post(second.token, [scanMessage(second.id, { seq: 1, ts: new Date(t0.getTime() + 5_000), peers: 12, subnet: 9 })])).status).toBe(202);
    await waitFor(() => count('SELECT count(*) AS n FROM alerts'), (n) => n >= 2, 20_000, 'the second alert');
    expect(await count('SELECT count(*) AS n FROM incidents')).toBe(1);

    const r = await gql(
      `query($id: ID!) { incident(id: $id) { id rule status severity alertCount devices { id } segment { id }
          alerts { nodes { rule device { id } } } timeline { type actor summary } } }`,
      { id: alerts[0].incident_id },
      tokens.VIEWER,
    );
    expect(r.errors).toBeUndefined();
    const incident = r.data.incident;
    expect(incident).toMatchObject({ rule: 'WORM_FAN_OUT', status: 'OPEN', alertCount: 2, segment: { id: fleet.segmentId } });
    expect(incident.devices.map((d: { id: string }) => d.id).sort()).toEqual([infected.id, second.id].sort());
    expect(incident.timeline.filter((e: { type: string }) => e.type === 'ALERT')).toHaveLength(2);

    // Published on warden.alerts.v1 for other consumers.
    const published = await waitFor(() => topicValues<AlertV1>(kafka.brokers, TOPICS.alerts), (v) => v.length >= 2, 10_000, 'alerts on Kafka');
    expect(new Set(published.map((p) => p.id))).toEqual(new Set([...(await pool.query('SELECT id FROM alerts')).rows.map((x) => x.id)]));

    // The VIEWER's subscription saw both alerts and the incident being opened, then grown.
    await waitFor(async () => received.alerts.length, (n) => n >= 2, 5_000, 'alertRaised events');
    expect(received.alerts.map((x) => x.device?.id).sort()).toEqual([infected.id, second.id].sort());
    await waitFor(async () => received.incidents.length, (n) => n >= 2, 5_000, 'incidentChanged events');
    expect(received.incidents.map((x) => x.change)).toEqual(['CREATED', 'UPDATED']);
    expect(received.incidents.every((x) => x.incident.id === incident.id)).toBe(true);
  });

  it('stores nothing twice when a batch is replayed or the device keeps scanning in the same window', async () => {
    const infected = fleet.devices[a]!;
    const alertsBefore = await count('SELECT count(*) AS n FROM alerts');
    const timelineBefore = await count('SELECT count(*) AS n FROM incident_timeline');
    // The same batch again (a client retry), then more scanning within the window, then a marker.
    expect((await post(infected.token, [scanMessage(infected.id, { seq: 1, ts: t0, peers: 14, subnet: 7 })])).status).toBe(202);
    expect((await post(infected.token, [scanMessage(infected.id, { seq: 2, ts: new Date(t0.getTime() + 2_000), peers: 20, subnet: 10 })])).status).toBe(202);
    expect((await post(infected.token, [{ deviceId: infected.id, seq: 3, ts: new Date(t0.getTime() + 3_000).toISOString(), metrics: { cpu: 1 } }])).status).toBe(202);
    await waitFor(() => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1 AND seq = 3', [infected.id]), (n) => n === 1, 20_000, 'the marker');
    await waitForDetection(pool, { deviceIds: [infected.id] });

    const { rows: state } = await pool.query('SELECT state FROM device_detection_state WHERE device_id = $1', [infected.id]);
    expect(state[0].state.lastSeq).toBe(3);

    // Worst case of a crash or rebalance: a processor starting from stored detection state older
    // than the batch it sees again. The alert derives from the same rule, device and window, so it
    // is stored once all the same.
    await restartStream(async () => void (await pool.query(`UPDATE device_detection_state SET state = '{}' WHERE device_id = $1`, [infected.id])));
    expect((await post(infected.token, [scanMessage(infected.id, { seq: 1, ts: t0, peers: 14, subnet: 7 })])).status).toBe(202);
    expect((await post(infected.token, [{ deviceId: infected.id, seq: 4, ts: new Date(t0.getTime() + 4_000).toISOString(), metrics: { cpu: 1 } }])).status).toBe(202);
    await waitFor(() => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1 AND seq = 4', [infected.id]), (n) => n === 1, 20_000, 'the second marker');
    await waitForDetection(pool, { deviceIds: [infected.id] });
    expect(await count('SELECT count(*) AS n FROM alerts')).toBe(alertsBefore);
    expect(await count('SELECT count(*) AS n FROM incidents')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM incident_timeline')).toBe(timelineBefore);
  });

  it('lets a RESPONDER move the incident through its lifecycle, audited, but not a VIEWER', async () => {
    const { rows } = await pool.query('SELECT id FROM incidents');
    const id = rows[0].id as string;
    const update = 'mutation($id: ID!, $s: IncidentStatus!) { updateIncidentStatus(id: $id, status: $s) { status } }';

    const refused = await gql(update, { id, s: 'TRIAGED' }, tokens.VIEWER);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const skipping = await gql(update, { id, s: 'CONTAINED' }, tokens.RESPONDER);
    expect(skipping.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    expect((await gql(update, { id, s: 'TRIAGED' }, tokens.RESPONDER)).data).toEqual({ updateIncidentStatus: { status: 'TRIAGED' } });
    const note = await gql('mutation($id: ID!) { addIncidentNote(id: $id, text: "telnet worm, isolating the IoT VLAN") { type actor } }', { id }, tokens.RESPONDER);
    expect(note.data.addIncidentNote).toMatchObject({ type: 'NOTE', actor: expect.stringMatching(/^user:/) });

    const audit = await database.db.auditLog.findMany({ where: { targetId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => [e.action, e.actorName])).toEqual([
      ['incident.status', 'responder@detect.test'],
      ['incident.note', 'responder@detect.test'],
    ]);
    const r = await gql('query($id: ID!) { incident(id: $id) { status timeline { type summary } } }', { id }, tokens.VIEWER);
    expect(r.data.incident.status).toBe('TRIAGED');
    expect(r.data.incident.timeline.map((e: { type: string }) => e.type)).toEqual(['ALERT', 'ALERT', 'STATUS', 'NOTE']);
    await waitFor(async () => received.incidents.map((x) => x.change), (c) => c.includes('STATUS') && c.includes('NOTE'), 5_000, 'responder changes live');
  });
});

/** Stops the stream processor (it checkpoints and commits what it read), runs `between`, and starts a new one in the same groups. */
async function restartStream(between: () => Promise<void> = async () => {}) {
  await stream.stop();
  await between();
  stream = await createStreamService(config, { maintenance: false });
  await stream.start(0, '127.0.0.1');
}

describe('detection state across a restart', () => {
  it('keeps a device\'s windows: a scan split across two processors raises one alert', async () => {
    const infected = fleet.devices[6]!;
    const at = new Date();
    // 6 peers, then 6 more within the minute: only together do they pass the threshold of 10.
    expect((await post(infected.token, [scanMessage(infected.id, { seq: 1, ts: at, peers: 6, subnet: 11 })])).status).toBe(202);
    await waitFor(() => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1', [infected.id]), (n) => n === 1, 20_000, 'the first half');
    await waitForDetection(pool, { deviceIds: [infected.id] });
    expect(await count('SELECT count(*) AS n FROM alerts WHERE device_id = $1', [infected.id])).toBe(0);

    await restartStream();
    const second = scanMessage(infected.id, { seq: 2, ts: new Date(at.getTime() + 1_000), peers: 6, subnet: 11 });
    second.flows = second.flows.map((f, i) => ({ ...f, peer: `10.20.11.${i + 40}` }));
    expect((await post(infected.token, [second])).status).toBe(202);
    await waitFor(() => count(`SELECT count(*) AS n FROM alerts WHERE device_id = $1 AND rule = 'WORM_FAN_OUT'`, [infected.id]), (n) => n === 1, 20_000, 'the alert after the restart');
    const { rows } = await pool.query(`SELECT evidence FROM alerts WHERE device_id = $1`, [infected.id]);
    expect(rows[0].evidence).toMatchObject({ distinctPeers: 12 });
  });
});

describe('detection apart from storage', () => {
  it('raises an alert while the point writes are stalled, and stores the points once they resume', async () => {
    const infected = fleet.devices[5]!;
    // Another session holds the time-series table: storage's inserts wait behind it.
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE telemetry_points IN SHARE MODE');
      expect((await post(infected.token, [scanMessage(infected.id, { seq: 1, ts: new Date(), peers: 14, subnet: 9 })])).status).toBe(202);
      await waitFor(() => count(`SELECT count(*) AS n FROM alerts WHERE device_id = $1 AND rule = 'WORM_FAN_OUT'`, [infected.id]), (n) => n === 1, 20_000, 'the alert while storage is stalled');
      await waitFor(async () => received.alerts.filter((x) => x.device?.id === infected.id).length, (n) => n === 1, 5_000, 'the live alert');
      expect(await count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1', [infected.id])).toBe(0);
      await blocker.query('COMMIT');
    } finally {
      blocker.release();
    }
    await waitFor(() => count('SELECT count(*) AS n FROM telemetry_points WHERE device_id = $1', [infected.id]), (n) => n === 1, 20_000, 'the points after the stall');
    expect(await count(`SELECT count(*) AS n FROM alerts WHERE device_id = $1`, [infected.id])).toBe(1);
  });
});

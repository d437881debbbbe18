import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApi, type Api } from '@warden/api';
import { WEBHOOK_HEADERS } from '@warden/contracts';
import { createUser, generateSecret, hashSecret, SECRET_PREFIX, SYSTEM_ACTOR, type Role } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { seedBuiltinPlaybooks } from '@warden/core/playbooks';
import { createGatewayService } from '@warden/gateway';
import { createLogger, createRedis, type DevKafka, type Redis } from '@warden/runtime';
import { createStreamService } from '@warden/stream';
import {
  createRolloutFleet,
  createTestDatabase,
  DdiDevice,
  startTestKafka,
  startWebhookReceiver,
  telemetryTestConfig,
  TEST_REDIS_URL,
  testRedisPrefix,
  type RolloutFleet,
  type TestDatabase,
  type WebhookReceiver,
} from '@warden/testing';
import { createWorkerService } from '@warden/worker/service';

/**
 * Incident response end to end, with every part real and in this process: devices on one segment
 * start a worm-like scan (telemetry through the gateway, the dev Kafka broker and the stream
 * processor) → one incident with its alerts, pushed to a graphql-ws subscriber → its blast radius
 * (contacted and co-located devices, the exposed firmware) → the shipped worm-outbreak playbook
 * starts by itself: quarantines the scanning devices, rotates their credentials, starts an
 * emergency rollout to blast-radius tiers 1–2 and notifies a signed webhook → the exposed devices
 * take the fixed firmware over hawkBit DDI → the incident is CONTAINED, with its whole timeline
 * and audit trail.
 */
let database: TestDatabase;
let kafka: DevKafka;
let redis: Redis;
let receiver: WebhookReceiver;
let fleet: RolloutFleet;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let stream: Awaited<ReturnType<typeof createStreamService>>;
let worker: ReturnType<typeof createWorkerService>;
let api: Api;
let ws: Client;
let gatewayUrl: string;
let apiUrl: string;
let gatewayToken: string;
const tokens = {} as Record<Role, string>;
const live = { alerts: [] as { id: string; rule: string }[], incidents: [] as { change: string; incident: { id: string; status: string } }[], runs: [] as { status: string; runId: string }[] };

/** Hubs 0–9 and a legacy bulb on the IoT segment, hubs 10–11 on the corporate one; all hubs on vulnerable 1.0.0. */
const IOT = '10.20.0';
const CORP = '10.30.0';
const ip = (i: number) => (i < 10 ? `${IOT}.${i + 1}` : `${CORP}.${i + 1}`);
const INFECTED = [0, 1, 2];
/** What the worm probes: hubs 3–8 on its own segment, hub 10 across, and addresses where nothing lives. */
const PROBED = [3, 4, 5, 6, 7, 8, 10];

async function gql<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<{ data: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as never;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const storageDir = await mkdtemp(path.join(tmpdir(), 'warden-e2e-artifacts-'));
  [database, kafka, receiver] = await Promise.all([createTestDatabase(), startTestKafka({ telemetryPartitions: 1 }), startWebhookReceiver()]);
  const config = telemetryTestConfig({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    FIRMWARE_STORAGE_DIR: storageDir,
    MQTT_TELEMETRY_TOPIC: `wir-${Date.now()}/devices/+/telemetry`,
    ROLLOUT_EVALUATE_DEBOUNCE_MS: '25',
    WORKER_LOCK_MS: '5000',
    WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
  });
  const deps = { db: database.db, sql: database.sql, config };

  // The office: two segments of one site, twelve hubs on firmware with a known hole, a bulb that cannot be updated.
  fleet = await createRolloutFleet(deps, 12, { prefix: 'hub', storageDir });
  const site = await database.db.site.create({ data: { code: 'hq', name: 'Headquarters' } });
  const iot = await database.db.segment.create({ data: { siteId: site.id, name: 'iot-floor-2', cidr: `${IOT}.0/24`, zone: 'IOT' } });
  const corp = await database.db.segment.create({ data: { siteId: site.id, name: 'corporate', cidr: `${CORP}.0/24`, zone: 'CORPORATE' } });
  for (const [i, d] of fleet.devices.entries()) await database.db.device.update({ where: { id: d.id }, data: { segmentId: i < 10 ? iot.id : corp.id, ip: ip(i) } });
  await database.db.device.updateMany({ where: { serial: 'hub-legacy' }, data: { segmentId: iot.id, ip: `${IOT}.50` } });
  await upsertAdvisory(deps, SYSTEM_ACTOR, { externalId: 'CVE-2026-1000', severity: 'CRITICAL', summary: 'telnet backdoor', affected: [{ modelId: fleet.modelId, introduced: null, fixed: '1.1.0', lastAffected: null }] });
  gatewayToken = generateSecret(SECRET_PREFIX.gateway);
  await database.db.gatewayCredential.create({ data: { name: 'floor-2 hub', prefix: gatewayToken.slice(0, 10), tokenHash: hashSecret(gatewayToken, config.auth.tokenPepper), siteId: site.id } });
  expect(await seedBuiltinPlaybooks(deps, SYSTEM_ACTOR)).toEqual(['worm-outbreak']);

  redis = createRedis(config.redisUrl, { forRequests: true });
  gateway = await createGatewayService(config);
  stream = await createStreamService(config, { maintenance: false });
  worker = createWorkerService(config);
  api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api-e2e', config.logLevel) });
  const [g, , , a] = await Promise.all([gateway.start(0, '127.0.0.1'), stream.start(0, '127.0.0.1'), worker.start(), api.listen(0, '127.0.0.1')]);
  gatewayUrl = `http://127.0.0.1:${g}`;
  apiUrl = `http://127.0.0.1:${a}`;

  for (const role of ['VIEWER', 'RESPONDER', 'ADMIN'] as const) {
    const email = `${role.toLowerCase()}@e2e.test`;
    await createUser(deps, SYSTEM_ACTOR, { email, name: role, password: `correct horse ${role} battery`, role });
    tokens[role] = (await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: `correct horse ${role} battery` }, '')).data.login.token;
  }
  // The SOC's automation: signed webhooks for the incident, its containment and the playbook.
  const sub = await gql(
    'mutation($u: String!) { createWebhookSubscription(input: {name: "soc", url: $u, events: ["alert.raised", "incident.opened", "containment.applied", "playbook.worm-outbreak", "playbook.run.finished"]}) { secret } }',
    { u: `${receiver.url}/warden` },
    tokens.ADMIN,
  );
  receiver.trust(sub.data.createWebhookSubscription.secret);

  ws = createClient({ url: `ws://127.0.0.1:${a}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.VIEWER}` }, lazy: false });
  const subscribe = (query: string, sink: (data: any) => void) =>
    new Promise<void>((resolve, reject) => {
      ws.subscribe({ query }, { next: (r) => sink(r.data), error: reject, complete: () => {} });
      setTimeout(resolve, 300);
    });
  await subscribe('subscription { alertRaised { id rule } }', (d) => live.alerts.push(d.alertRaised));
  await subscribe('subscription { incidentChanged { change incident { id status } } }', (d) => live.incidents.push(d.incidentChanged));
  await subscribe('subscription { playbookRunChanged { runId status } }', (d) => live.runs.push(d.playbookRunChanged));
}, 90_000);

afterAll(async () => {
  await ws?.dispose();
  await gateway?.stop();
  await stream?.stop();
  await worker?.stop();
  await api?.stop();
  redis?.disconnect();
  await receiver?.close();
  await kafka?.stop();
  await database?.drop();
});

/** One device probing `peers` on telnet and SMB within a few seconds (a worm looking for its next host). */
function scan(deviceId: string, seq: number, peers: string[]) {
  return {
    deviceId,
    seq,
    ts: new Date(Date.now() - 5_000).toISOString(),
    metrics: { cpu: 97 },
    flows: peers.map((peer, i) => ({ peer, port: i % 2 ? 23 : 445, protocol: 'tcp', outbound: true, bytes: 180, packets: 3 })),
  };
}

const hub = (i: number) => fleet.devices[i]!;

describe('a worm on the IoT floor, from the first scan to containment', () => {
  let incidentId: string;

  it('turns the scan into alerts and one incident, pushed to subscribers', async () => {
    const peers = [...PROBED.map(ip), ...[200, 201, 202, 203, 204, 205, 206].map((n) => `${IOT}.${n}`)];
    // The floor's gateway forwards the three infected hubs' reports in one batch.
    const res = await fetch(`${gatewayUrl}/device/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `GatewayToken ${gatewayToken}` },
      body: JSON.stringify({ messages: INFECTED.map((i) => scan(hub(i).id, 1, peers)) }),
    });
    expect(res.status).toBe(202);

    await until('three alerts pushed to the subscriber', async () => live.alerts.length >= 3);
    expect(live.alerts.map((a) => a.rule)).toEqual(['WORM_FAN_OUT', 'WORM_FAN_OUT', 'WORM_FAN_OUT']);
    const r = await gql('{ incidents { nodes { id rule severity status alertCount devices { id } } } }', {}, tokens.VIEWER);
    expect(r.data.incidents.nodes).toHaveLength(1);
    const incident = r.data.incidents.nodes[0];
    incidentId = incident.id;
    expect(incident).toMatchObject({ rule: 'WORM_FAN_OUT', severity: 'CRITICAL', alertCount: 3 });
    expect(incident.devices.map((d: { id: string }) => d.id).sort()).toEqual(INFECTED.map((i) => hub(i).id).sort());
    expect(live.incidents[0]).toMatchObject({ change: 'CREATED', incident: { id: incidentId } });
  });

  it('shows the blast radius: contacted devices, the rest of the segment, the exposed firmware', async () => {
    const r = await gql(
      `query($id: ID!) { blastRadius(incidentId: $id, first: 50) { total exploitedAdvisories tiers { tier devices }
          devices { nodes { tier device { serial } reasons { kind hops segment { name } advisories } } } } }`,
      { id: incidentId },
      tokens.VIEWER,
    );
    expect(r.errors).toBeUndefined();
    const b = r.data.blastRadius;
    expect(b.exploitedAdvisories).toEqual(['CVE-2026-1000']);
    const tierOf = Object.fromEntries(b.devices.nodes.map((n: { tier: number; device: { serial: string } }) => [n.device.serial, n.tier]));
    const serial = (i: number) => `hub-${String(i).padStart(5, '0')}`;
    // Contacted by the worm, on its segment or across: tier 1.
    for (const i of PROBED) expect(tierOf[serial(i)], serial(i)).toBe(1);
    const across = b.devices.nodes.find((n: { device: { serial: string } }) => n.device.serial === serial(10));
    expect(across.reasons[0]).toMatchObject({ kind: 'CONTACTED', hops: 1 });
    // Not contacted, but beside the infected hubs with the same hole: tier 2.
    expect(tierOf[serial(9)]).toBe(2);
    const beside = b.devices.nodes.find((n: { device: { serial: string } }) => n.device.serial === serial(9));
    expect(beside.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'SAME_SEGMENT', segment: { name: 'iot-floor-2' } }), expect.objectContaining({ kind: 'VULNERABLE_FIRMWARE', advisories: ['CVE-2026-1000'] })]));
    // The same firmware on another floor, and the bulb on the segment that cannot be patched: tier 3.
    expect(tierOf[serial(11)]).toBe(3);
    expect(tierOf['hub-legacy']).toBe(3);
    expect(b.tiers).toEqual([{ tier: 1, devices: 7 }, { tier: 2, devices: 1 }, { tier: 3, devices: 2 }, { tier: 4, devices: 0 }]);
  });

  it('runs the worm-outbreak playbook by itself: quarantine, new credentials, emergency rollout, signed notification', async () => {
    const run = await until('the playbook run to finish', async () => {
      const r = await gql('query($i: ID!) { playbookRuns(incidentId: $i) { id status trigger playbookName actor steps { id status summary error plan { touches { deviceIds } } } } }', { i: incidentId }, tokens.VIEWER);
      const x = r.data.playbookRuns[0];
      return x && ['SUCCEEDED', 'FAILED'].includes(x.status) ? x : null;
    }, 60_000);
    expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 'AUTO', playbookName: 'worm-outbreak', actor: 'system:playbooks' });
    const step = (id: string) => run.steps.find((s: { id: string }) => s.id === id);
    expect(step('quarantine-infected')).toMatchObject({ status: 'SUCCEEDED', summary: 'quarantined 3 devices' });
    expect([...step('quarantine-infected').plan.touches.deviceIds].sort()).toEqual(INFECTED.map((i) => hub(i).id).sort());
    expect(step('rotate-credentials')).toMatchObject({ status: 'SUCCEEDED', summary: 'rotated the credentials of 3 devices' });
    expect(step('patch-exposed')).toMatchObject({ status: 'SUCCEEDED', summary: 'emergency patch of 8 devices in 1 rollout' });
    expect([...step('patch-exposed').plan.touches.deviceIds].sort()).toEqual([...PROBED, 9].map((i) => hub(i).id).sort());
    expect(step('notify')).toMatchObject({ status: 'SUCCEEDED', summary: 'notified soc (playbook.worm-outbreak)' });
    // The subscription hears of it too (published after the commit, so it may arrive a moment later).
    await until('the finished run pushed to subscribers', async () => live.runs.some((r) => r.status === 'SUCCEEDED'));

    // Quarantined, and the stolen tokens no longer open anything.
    const devices = await gql('query($ids: [ID!]) { devices(first: 10, filter: {ids: $ids}) { nodes { id status } } }', { ids: INFECTED.map((i) => hub(i).id) }, tokens.VIEWER);
    expect(devices.data.devices.nodes.map((d: { status: string }) => d.status)).toEqual(['QUARANTINED', 'QUARANTINED', 'QUARANTINED']);
    expect((await new DdiDevice(gatewayUrl, hub(0).controllerId, hub(0).token).poll()).status).toBe(401);
  });

  it('delivers the fixed firmware to the exposed devices over DDI', async () => {
    const exposed = [...PROBED, 9].map((i) => new DdiDevice(gatewayUrl, hub(i).controllerId, hub(i).token));
    const rollout = await until('the emergency rollout to succeed', async () => {
      await Promise.all(exposed.filter((d) => !d.installs.length).map((d) => d.cycle('success')));
      const r = await gql('{ rollouts(first: 5) { id name status emergency release { version } } }', {}, tokens.VIEWER);
      const x = r.data.rollouts.find((n: { emergency: boolean }) => n.emergency);
      return x?.status === 'SUCCEEDED' ? x : null;
    }, 60_000);
    expect(rollout).toMatchObject({ emergency: true, release: { version: '1.1.0' }, name: expect.stringMatching(/^Emergency patch: /) });
    expect(exposed.map((d) => d.installs.length)).toEqual(Array(8).fill(1));
    const nine = await gql('query($id: ID!) { device(id: $id) { firmwareVersion } }', { id: hub(9).id }, tokens.VIEWER);
    expect(nine.data.device.firmwareVersion).toBe('1.1.0');
    // Hub 11 (another floor, tier 3) was left to the routine rollouts.
    expect((await new DdiDevice(gatewayUrl, hub(11).controllerId, hub(11).token).cycle('success'))).toBe('idle');
  });

  it('leaves the incident CONTAINED, with a complete timeline, audit trail and webhooks', async () => {
    const r = await gql('query($id: ID!) { incident(id: $id) { status timeline { type actor summary } playbookRuns { id } } }', { id: incidentId }, tokens.VIEWER);
    expect(r.data.incident.status).toBe('CONTAINED');
    const runId = r.data.incident.playbookRuns[0].id;
    const timeline: { type: string; actor: string; summary: string }[] = r.data.incident.timeline;
    const types = timeline.map((e) => e.type);
    expect(types.filter((t) => t === 'ALERT')).toHaveLength(3);
    for (const t of ['CONTAINMENT', 'STATUS', 'ROLLOUT', 'PLAYBOOK']) expect(types, t).toContain(t);
    expect(timeline.filter((e) => e.type === 'STATUS').map((e) => e.summary)).toEqual([expect.stringMatching(/TRIAGED/), expect.stringMatching(/CONTAINED/)]);
    const byRun = timeline.filter((e) => e.actor === `playbook-run:${runId}`);
    expect(byRun.map((e) => e.type)).toEqual(expect.arrayContaining(['CONTAINMENT', 'ROLLOUT', 'PLAYBOOK']));
    expect(timeline.filter((e) => e.type === 'PLAYBOOK').map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^playbook worm-outbreak started: triggered by the incident; plan: /),
        'worm-outbreak › quarantine-infected (quarantine) succeeded: quarantined 3 devices',
        'worm-outbreak › patch-exposed (emergency_rollout) succeeded: emergency patch of 8 devices in 1 rollout',
        'playbook worm-outbreak succeeded',
      ]),
    );
    await until('the CONTAINED change pushed to subscribers', async () => live.incidents.some((c) => c.incident.status === 'CONTAINED'));

    const audit = await gql('{ auditLog(first: 200) { nodes { action actorName targetId } } }', {}, tokens.ADMIN);
    const actions = audit.data.auditLog.nodes.filter((n: { actorName: string }) => n.actorName === `playbook-run:${runId}` || n.actorName === 'playbooks');
    expect(new Set(actions.map((n: { action: string }) => n.action))).toEqual(
      new Set(['playbook.run', 'containment.quarantine', 'incident.status', 'containment.rotate', 'rollout.create', 'rollout.approve', 'rollout.start', 'incident.emergencyPatch']),
    );

    await until('the webhooks', async () => receiver.accepted('playbook.run.finished').length === 1 && receiver.accepted('containment.applied').length >= 3);
    expect(receiver.received.every((x) => x.verified)).toBe(true);
    const got = new Set(receiver.accepted().map((x) => x.body.type));
    expect([...got].sort()).toEqual(['alert.raised', 'containment.applied', 'incident.opened', 'playbook.run.finished', 'playbook.worm-outbreak']);
    expect(receiver.accepted('alert.raised')).toHaveLength(3);
    expect(receiver.accepted('playbook.run.finished')[0]!.headers[WEBHOOK_HEADERS.eventId]).toBe(`playbook-run.${runId}.finished`);
  });
});

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@warden/contracts';
import { containmentEventSchema, deviceContainmentTopic, type ContainmentEventV1, type DeviceContainmentState } from '@warden/contracts/incidents';
import { isolateSegment, quarantineDevices, releaseContainment } from '@warden/core/containment';
import type { DevKafka } from '@warden/runtime';
import { spawnWorker, startTestKafka, stopWorker } from '@warden/testing';
import { containmentWorld, eventually, openIncident, RESPONDER, retained, topicRecords, type ContainmentWorld } from './fixtures.js';

/**
 * The worker delivers containments from the outbox to the dev Kafka broker and Mosquitto, retries
 * through an outage, expires them on time, and never publishes a change twice across restarts.
 */
let w: ContainmentWorld;
let kafka: DevKafka;
let worker: ChildProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  kafka = await startTestKafka();
  w = await containmentWorld({ lights: 6, readers: 1, env: { KAFKA_BROKERS: kafka.brokers.join(','), CONTAINMENT_SWEEP_SECONDS: '2', WORKER_LOCK_MS: '2000' } });
  env = { ...w.env, KAFKA_BROKERS: kafka.brokers.join(',') };
}, 60_000);
afterAll(async () => {
  if (worker) await stopWorker(worker, 'SIGKILL');
  await w?.close();
  await kafka?.stop();
});

const events = async () => (await topicRecords<ContainmentEventV1>(kafka.brokers, TOPICS.containment)).map((r) => ({ key: r.key, ...containmentEventSchema.parse(r.value) }));
const row = (id: string) => w.tdb.db.containment.findUniqueOrThrow({ where: { id } });
const stateOf = (controllerId: string) => retained<DeviceContainmentState>(w.config.mqttUrl, deviceContainmentTopic(controllerId));

describe('containment worker', () => {
  it('applies a quarantine: one event keyed by the device, the device’s retained state, APPLIED', async () => {
    worker = await spawnWorker(env);
    const d = w.lights[0]!;
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'scanning port 23' });
    const c = r.containments[0]!;
    await eventually(async () => (await row(c.id)).status === 'APPLIED', 15_000, 'APPLIED');
    expect(await row(c.id)).toMatchObject({ deliveredVersion: 1, version: 1, appliedAt: expect.any(Date) });
    const published = (await events()).filter((e) => e.containmentId === c.id);
    expect(published).toEqual([
      expect.objectContaining({
        key: `device:${d.id}`,
        version: 1,
        action: 'QUARANTINE_DEVICES',
        status: 'APPLIED',
        target: { kind: 'DEVICES', devices: [{ id: d.id, ip: '10.20.0.1', mac: expect.stringMatching(/^02:/) }] },
        actor: `user:${RESPONDER.id}`,
        reason: 'scanning port 23',
        managementAllow: [
          { host: '127.0.0.1', port: 4100 },
          { host: '127.0.0.1', port: 1883 },
        ],
      }),
    ]);
    expect(await stateOf(d.controllerId)).toMatchObject({ deviceId: d.id, quarantined: true, segmentIsolated: false, containments: [{ containmentId: c.id, action: 'QUARANTINE_DEVICES' }] });

    await releaseContainment(w.deps, RESPONDER, { id: c.id, reason: 'cleaned' });
    await eventually(async () => (await row(c.id)).deliveredVersion === 2, 15_000, 'release delivered');
    expect((await events()).filter((e) => e.containmentId === c.id).map((e) => [e.version, e.status])).toEqual([
      [1, 'APPLIED'],
      [2, 'RELEASED'],
    ]);
    expect(await stateOf(d.controllerId)).toMatchObject({ quarantined: false, containments: [] });
  }, 60_000);

  it('tells every device of an isolated segment, except the fail-safe ones it exempts', async () => {
    const r = await isolateSegment(w.deps, RESPONDER, { segmentId: w.segmentId, reason: 'worm' });
    const c = r.containments[0]!;
    await eventually(async () => (await row(c.id)).status === 'APPLIED', 15_000, 'APPLIED');
    const [e] = (await events()).filter((x) => x.containmentId === c.id);
    expect(e).toMatchObject({ key: `segment:${w.segmentId}`, target: { kind: 'SEGMENT', cidr: '10.20.0.0/16', vlan: 20, exempt: [{ id: w.readers[0]!.id, ip: '10.20.1.1' }] } });
    expect(await stateOf(w.lights[1]!.controllerId)).toMatchObject({ segmentIsolated: true, quarantined: false });
    expect(await stateOf(w.readers[0]!.controllerId)).toMatchObject({ segmentIsolated: false });
    await releaseContainment(w.deps, RESPONDER, { id: c.id, reason: 'done' });
    await eventually(async () => (await row(c.id)).deliveredVersion === 2, 15_000, 'release delivered');
    expect(await stateOf(w.lights[1]!.controllerId)).toMatchObject({ segmentIsolated: false });
  }, 60_000);

  it('retries through a Kafka outage and publishes once it is back', async () => {
    await kafka.down();
    const d = w.lights[2]!;
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'outage test' });
    const c = r.containments[0]!;
    await new Promise((res) => setTimeout(res, 3000));
    expect((await row(c.id)).status).toBe('PENDING');
    await kafka.up();
    await eventually(async () => (await row(c.id)).status === 'APPLIED', 45_000, 'APPLIED after the outage');
    expect((await events()).filter((e) => e.containmentId === c.id)).toHaveLength(1);
  }, 90_000);

  it('expires a containment on time: the device gets its status back and connectors a RELEASED event', async () => {
    const d = w.lights[3]!;
    const incidentId = await openIncident(w, [d.id]);
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'for two seconds', expiresInSeconds: 2, incidentId });
    const c = r.containments[0]!;
    expect((await w.tdb.db.device.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('QUARANTINED');
    await eventually(async () => (await row(c.id)).status === 'EXPIRED', 15_000, 'EXPIRED');
    const expired = await row(c.id);
    expect(expired.releasedAt!.getTime()).toBeGreaterThanOrEqual(c.expiresAt!.getTime());
    expect(expired.releasedAt!.getTime() - c.expiresAt!.getTime()).toBeLessThan(5_000);
    expect((await w.tdb.db.device.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('ACTIVE');
    await eventually(async () => (await row(c.id)).deliveredVersion === 2, 15_000, 'expiry delivered');
    expect((await events()).filter((e) => e.containmentId === c.id).map((e) => [e.status, e.reason])).toEqual([
      ['APPLIED', 'for two seconds'],
      ['RELEASED', 'expired: for two seconds'],
    ]);
    const timeline = await w.tdb.db.incidentTimelineEntry.findMany({ where: { incidentId, type: 'CONTAINMENT' }, orderBy: { id: 'asc' } });
    expect(timeline.map((t) => [t.actor, t.summary.split(':')[0]])).toEqual([
      [`user:${RESPONDER.id}`, `quarantined ${d.serial}`],
      ['system:warden', 'expired quarantine devices, undone'],
    ]);
  }, 60_000);

  it('after a crash, a restart delivers what was left and expires what is overdue, publishing nothing twice', async () => {
    await stopWorker(worker!, 'SIGKILL');
    const [a, b] = [w.lights[4]!, w.lights[5]!];
    const pending = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [a.id], reason: 'while the worker was down' });
    const overdue = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [b.id], reason: 'short', expiresInSeconds: 1 });
    // Lose the queued jobs too (a Redis without persistence restarted): only the outbox in Postgres remains.
    await w.jobs.queue('containment').obliterate({ force: true });
    await new Promise((res) => setTimeout(res, 1500));
    const before = await events();

    worker = await spawnWorker(env);
    await eventually(async () => (await row(pending.containments[0]!.id)).status === 'APPLIED', 20_000, 'pending delivered by the start sweep');
    await eventually(async () => (await row(overdue.containments[0]!.id)).status === 'EXPIRED', 20_000, 'overdue expired by the start sweep');
    await eventually(async () => (await row(overdue.containments[0]!.id)).deliveredVersion === 2, 20_000, 'expiry delivered');
    expect((await w.tdb.db.device.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('ACTIVE');

    // Restart once more: the sweep finds nothing to deliver again.
    await stopWorker(worker, 'SIGTERM');
    worker = await spawnWorker(env);
    await new Promise((res) => setTimeout(res, 3000));
    const after = await events();
    const seen = new Map<string, number>();
    for (const e of after) seen.set(`${e.containmentId}:${e.version}`, (seen.get(`${e.containmentId}:${e.version}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    // The pending one's APPLIED, and for the overdue one only its latest version (RELEASED).
    expect(after.length - before.length).toBe(2);
  }, 120_000);
});

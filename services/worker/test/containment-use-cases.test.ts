import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDevice, SYSTEM_ACTOR } from '@warden/core';
import {
  deviceAuthEvictChannel,
  previewContainment,
  quarantineDevices,
  releaseContainment,
  revokeCredentials,
  rotateCredentials,
  isolateSegment,
  blockDestination,
  deliverContainments,
  markDeliveryFailed,
  sweepContainments,
  type ContainmentOutlets,
} from '@warden/core/containment';
import { containmentWorld, OPERATOR, openIncident, RESPONDER, type ContainmentWorld, deviceStatus, tokenWorks } from './fixtures.js';

let w: ContainmentWorld;
beforeAll(async () => {
  w = await containmentWorld({ lights: 4, readers: 2 });
});
afterAll(async () => w?.close());


describe('quarantine', () => {
  it('quarantines devices, skips fail-safe ones without an override, and release restores the status each had', async () => {
    const [a, b] = w.lights;
    await w.tdb.db.device.update({ where: { id: b!.id }, data: { status: 'PROVISIONING' } });
    const reader = w.readers[0]!;
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [a!.id, b!.id, reader.id], reason: 'scanning port 23' });
    expect(r.containments.map((c) => [c.deviceId, c.kind, c.status])).toEqual(
      expect.arrayContaining([
        [a!.id, 'QUARANTINE_DEVICES', 'PENDING'],
        [b!.id, 'QUARANTINE_DEVICES', 'PENDING'],
      ]),
    );
    expect(r.containments).toHaveLength(2);
    expect(r.skipped).toEqual([expect.objectContaining({ deviceId: reader.id, reason: 'FAIL_SAFE', message: expect.stringContaining('overrideFailSafe') })]);
    expect([await deviceStatus(w, a!.id), await deviceStatus(w, b!.id), await deviceStatus(w, reader.id)]).toEqual(['QUARANTINED', 'QUARANTINED', 'ACTIVE']);
    // The skipped target is on record too, with the reason.
    const skippedRow = await w.tdb.db.containment.findFirstOrThrow({ where: { requestId: r.requestId, deviceId: reader.id } });
    expect(skippedRow).toMatchObject({ status: 'SKIPPED', skipped: [expect.objectContaining({ reason: 'FAIL_SAFE' })] });
    // Audited in the same transaction, one row per target.
    expect(await w.tdb.db.auditLog.count({ where: { action: 'containment.quarantine', summary: { path: ['requestId'], equals: r.requestId } } })).toBe(3);

    // An operator cannot lift a quarantine by editing the device.
    await expect(updateDevice(w.deps, SYSTEM_ACTOR, a!.id, { status: 'ACTIVE' })).rejects.toMatchObject({ code: 'CONFLICT' });

    const ca = r.containments.find((c) => c.deviceId === a!.id)!;
    const cb = r.containments.find((c) => c.deviceId === b!.id)!;
    const released = await releaseContainment(w.deps, RESPONDER, { id: ca.id, reason: 'false positive' });
    expect(released).toMatchObject({ status: 'RELEASED', version: 2, releaseReason: 'false positive', releasedBy: `user:${RESPONDER.id}` });
    await releaseContainment(w.deps, RESPONDER, { id: cb.id, reason: 'false positive' });
    expect([await deviceStatus(w, a!.id), await deviceStatus(w, b!.id)]).toEqual(['ACTIVE', 'PROVISIONING']);
    await expect(releaseContainment(w.deps, RESPONDER, { id: ca.id, reason: 'again' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already RELEASED') });
    await expect(releaseContainment(w.deps, RESPONDER, { id: skippedRow.id, reason: 'x' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('skipped') });
  });

  it('cuts a fail-safe device off with an override', async () => {
    const reader = w.readers[1]!;
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [reader.id], reason: 'tampered', overrideFailSafe: true });
    expect(r.containments).toHaveLength(1);
    expect(r.containments[0]!.overrideFailSafe).toBe(true);
    expect(await deviceStatus(w, reader.id)).toBe('QUARANTINED');
    await releaseContainment(w.deps, RESPONDER, { id: r.containments[0]!.id, reason: 'replaced' });
  });

  it('skips a device already quarantined, naming the containment in force, and returns the first result for a repeated request key', async () => {
    const d = w.lights[2]!;
    const first = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'scan', requestKey: 'run-1:step-0' });
    const again = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'scan' });
    expect(again.containments).toEqual([]);
    expect(again.skipped).toEqual([expect.objectContaining({ reason: 'ALREADY_CONTAINED', coveredById: first.containments[0]!.id })]);
    const replay = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'scan', requestKey: 'run-1:step-0' });
    expect(replay).toMatchObject({ replayed: true, requestId: first.requestId });
    expect(replay.containments.map((c) => c.id)).toEqual(first.containments.map((c) => c.id));
    expect(await w.tdb.db.containment.count({ where: { deviceId: d.id, kind: 'QUARANTINE_DEVICES' } })).toBe(2); // first + the skipped second
    await releaseContainment(w.deps, RESPONDER, { id: first.containments[0]!.id, reason: 'done' });
  });

  it('refuses below RESPONDER, unknown ids, bad input — and changes nothing', async () => {
    const before = await w.tdb.db.containment.count();
    await expect(quarantineDevices(w.deps, OPERATOR, { deviceIds: [w.lights[0]!.id], reason: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(quarantineDevices(w.deps, RESPONDER, { deviceIds: [w.lights[0]!.id, crypto.randomUUID()], reason: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(quarantineDevices(w.deps, RESPONDER, { deviceIds: ['nope'], reason: 'x' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('deviceIds.0') });
    await expect(quarantineDevices(w.deps, RESPONDER, { deviceIds: [w.lights[0]!.id], reason: '  ' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('reason') });
    await expect(quarantineDevices(w.deps, RESPONDER, { deviceIds: [w.lights[0]!.id], reason: 'x', incidentId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(blockDestination(w.deps, RESPONDER, { destination: '10.0.0.1/8', reason: 'x' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('host bits') });
    await expect(blockDestination(w.deps, RESPONDER, { destination: '127.0.0.0/8', reason: 'x' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('management channel') });
    await expect(rotateCredentials(w.deps, RESPONDER, { deviceIds: [w.lights[0]!.id], reason: 'x', expiresInSeconds: 60 } as never)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('permanent') });
    await expect(releaseContainment(w.deps, RESPONDER, { id: crypto.randomUUID(), reason: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await w.tdb.db.containment.count()).toBe(before);
    expect(await deviceStatus(w, w.lights[0]!.id)).toBe('ACTIVE');
  });
});

describe('credentials', () => {
  it('revocation takes effect at once and tells the gateways; release reinstates the same token', async () => {
    const d = w.lights[3]!;
    const sub = w.redis.duplicate();
    const heard: string[] = [];
    sub.on('message', (_c: string, m: string) => heard.push(m));
    await sub.subscribe(deviceAuthEvictChannel(w.config.redisPrefix));
    try {
      expect(await tokenWorks(w, d.token)).toBe(true);
      const r = await revokeCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'token leaked' });
      expect(await tokenWorks(w, d.token)).toBe(false);
      expect(r.containments[0]!.touched).toMatchObject({ kind: 'REVOKE_CREDENTIALS', revokedCredentialIds: [expect.any(String)] });
      await new Promise((res) => setTimeout(res, 100));
      expect(heard.map((m) => JSON.parse(m) as { deviceIds: string[] })).toContainEqual({ deviceIds: [d.id] });
      await releaseContainment(w.deps, RESPONDER, { id: r.containments[0]!.id, reason: 'false positive' });
      expect(await tokenWorks(w, d.token)).toBe(true);
    } finally {
      sub.disconnect();
    }
  });

  it('rotation issues new tokens once, kills the old ones, and its undo brings the old ones back', async () => {
    const d = w.elsewhere;
    const r = await rotateCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'compromise' });
    expect(r.credentials).toHaveLength(1);
    const fresh = r.credentials[0]!.token;
    expect(await tokenWorks(w, d.token)).toBe(false);
    expect(await tokenWorks(w, fresh)).toBe(true);
    const stored = JSON.stringify(await w.tdb.db.containment.findMany({ where: { requestId: r.requestId } }));
    expect(stored).not.toContain(fresh);
    await releaseContainment(w.deps, RESPONDER, { id: r.containments[0]!.id, reason: 'rotated the wrong device' });
    expect([await tokenWorks(w, d.token), await tokenWorks(w, fresh)]).toEqual([true, false]);
  });
});

describe('segments, destinations and incidents', () => {
  it('isolates a segment leaving its fail-safe devices connected, and moves the incident to CONTAINED only when all its devices are', async () => {
    const [a, b] = w.lights;
    const incidentId = await openIncident(w, [a!.id, b!.id, w.elsewhere.id]);
    const iso = await isolateSegment(w.deps, RESPONDER, { segmentId: w.segmentId, reason: 'worm on iot', incidentId });
    expect(iso.containments[0]!.touched).toMatchObject({ kind: 'ISOLATE_SEGMENT', cidr: '10.20.0.0/16', exemptDeviceIds: w.readers.map((r) => r.id) });
    expect(iso.skipped.map((s) => s.deviceId).sort()).toEqual(w.readers.map((r) => r.id).sort());
    // The third device is on another segment: not contained yet.
    expect(iso.incidentStatus).toBe('OPEN');
    const q = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [w.elsewhere.id], reason: 'it talked to them', incidentId });
    expect(q.incidentStatus).toBe('CONTAINED');
    const timeline = await w.tdb.db.incidentTimelineEntry.findMany({ where: { incidentId }, orderBy: { id: 'asc' } });
    expect(timeline.map((t) => t.type)).toEqual(['CONTAINMENT', 'CONTAINMENT', 'STATUS', 'STATUS']);
    expect(timeline.map((t) => t.summary)).toEqual([
      expect.stringContaining('isolated segment iot (skipped: 2 fail-safe): worm on iot'),
      expect.stringContaining(`quarantined ${w.elsewhere.serial}`),
      expect.stringContaining('OPEN → TRIAGED'),
      expect.stringContaining('TRIAGED → CONTAINED'),
    ]);
    // Isolating again is skipped, and releasing does not move the incident back.
    const again = await isolateSegment(w.deps, RESPONDER, { segmentId: w.segmentId, reason: 'again' });
    expect(again.skipped[0]).toMatchObject({ reason: 'ALREADY_CONTAINED', coveredById: iso.containments[0]!.id });
    await releaseContainment(w.deps, RESPONDER, { id: iso.containments[0]!.id, reason: 'cleaned' });
    await releaseContainment(w.deps, RESPONDER, { id: q.containments[0]!.id, reason: 'cleaned' });
    expect((await w.tdb.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).status).toBe('CONTAINED');
    const last = await w.tdb.db.incidentTimelineEntry.findFirstOrThrow({ where: { incidentId }, orderBy: { id: 'desc' } });
    expect(last).toMatchObject({ type: 'CONTAINMENT', summary: expect.stringContaining('released') });
  });

  it('leaves an incident past CONTAINED where it is', async () => {
    const incidentId = await openIncident(w, [w.lights[0]!.id], 'ERADICATED');
    const q = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [w.lights[0]!.id], reason: 'reinfected?', incidentId });
    expect(q.incidentStatus).toBe('ERADICATED');
    await releaseContainment(w.deps, RESPONDER, { id: q.containments[0]!.id, reason: 'no' });
  });

  it('blocks a destination once, canonicalised', async () => {
    const r = await blockDestination(w.deps, RESPONDER, { destination: '198.51.100.7', reason: 'C2 server' });
    expect(r.containments[0]).toMatchObject({ destination: '198.51.100.7/32', targetKey: 'destination:198.51.100.7/32' });
    const again = await blockDestination(w.deps, RESPONDER, { destination: '198.51.100.7/32', reason: 'C2 server' });
    expect(again.skipped[0]).toMatchObject({ reason: 'ALREADY_CONTAINED' });
  });

  it('previews a request without changing anything', async () => {
    const before = await w.tdb.db.containment.count();
    const statusBefore = await deviceStatus(w, w.lights[1]!.id);
    const p = await previewContainment(w.deps, RESPONDER, { kind: 'QUARANTINE_DEVICES', deviceIds: [w.lights[1]!.id, w.readers[0]!.id], reason: 'dry run' });
    expect(p.apply).toEqual([{ target: `device:${w.lights[1]!.id}`, label: w.lights[1]!.serial, deviceId: w.lights[1]!.id }]);
    expect(p.skipped).toEqual([expect.objectContaining({ deviceId: w.readers[0]!.id, reason: 'FAIL_SAFE' })]);
    expect(await w.tdb.db.containment.count()).toBe(before);
    expect(await deviceStatus(w, w.lights[1]!.id)).toBe(statusBefore);
  });
});

describe('delivery state', () => {
  it('stays in force while delivery fails, turns FAILED when retries are spent, and APPLIED once delivered; a delivered change is not delivered again', async () => {
    const d = w.lights[1]!;
    const r = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'delivery test' });
    const id = r.containments[0]!.id;
    const deps = { ...w.deps, managementAllow: w.config.containment.managementAllow };
    // A broker that refuses (fault injection): nothing is marked delivered.
    const down: ContainmentOutlets = { events: { publish: () => Promise.reject(new Error('broker down')) } };
    await expect(deliverContainments(deps, down, [id])).rejects.toThrow('broker down');
    expect(await w.tdb.db.containment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING', deliveredVersion: 0 });
    expect(await markDeliveryFailed(deps, [id], 'broker down')).toBe(1);
    expect(await w.tdb.db.containment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'FAILED', error: 'broker down' });
    expect(await deviceStatus(w, d.id)).toBe('QUARANTINED');
    // The sweep keeps offering it for delivery.
    expect((await sweepContainments(deps, { graceMs: 0 })).undelivered.flat()).toContain(id);
    const sent: string[] = [];
    const up: ContainmentOutlets = { events: { publish: async (records) => void sent.push(...records.map((x) => `${x.event.containmentId}:${x.event.version}:${x.event.status}`)) } };
    expect(await deliverContainments(deps, up, [id])).toBe(1);
    expect(await w.tdb.db.containment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'APPLIED', deliveredVersion: 1, error: null });
    expect(await deliverContainments(deps, up, [id])).toBe(0);
    expect(sent).toEqual([`${id}:1:APPLIED`]);
    await releaseContainment(w.deps, RESPONDER, { id, reason: 'done' });
  });
});


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignIncident, importDevices, updateDevice, SYSTEM_ACTOR } from '@warden/core';
import { deliverContainments, quarantineDevices, releaseContainment, revokeCredentials, rotateCredentials, type ContainmentOutlets } from '@warden/core/containment';
import { createSqlPool, type SqlPool } from '@warden/db';
import { holdInTransaction } from '@warden/testing';
import { containmentWorld, openIncident, RESPONDER, type ContainmentWorld, deviceStatus, tokenWorks } from './fixtures.js';

/**
 * Containment and incident writes against the writes that race them. Each test holds a row lock
 * in a transaction of its own, as the other side's transaction would, so that the interleaving
 * that used to go wrong happens every time rather than once in a while.
 */
let w: ContainmentWorld;
let pool: SqlPool;
beforeAll(async () => {
  w = await containmentWorld({ lights: 5, readers: 0 });
  pool = createSqlPool(w.tdb.url, 2);
});
afterAll(async () => {
  await pool?.end();
  await w?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a quarantine committed while another write is on its way', () => {
  it('is not lifted by an operator edit that read the device before it', async () => {
    const d = w.lights[0]!;
    const quarantine = await holdInTransaction(pool, `UPDATE devices SET status = 'QUARANTINED' WHERE id = $1`, [d.id]);
    const edit = updateDevice(w.deps, SYSTEM_ACTOR, d.id, { status: 'ACTIVE', name: 'renamed' }).then(
      () => 'saved',
      (err: { code?: string }) => err.code,
    );
    await sleep(300);
    await quarantine.commit();
    expect(await edit).toBe('CONFLICT');
    expect(await deviceStatus(w, d.id)).toBe('QUARANTINED');
  });

  it('is not lifted by an import that read the device before it', async () => {
    const d = w.lights[1]!;
    const quarantine = await holdInTransaction(pool, `UPDATE devices SET status = 'QUARANTINED' WHERE id = $1`, [d.id]);
    const imported = importDevices(w.deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify([{ serial: d.serial, model: 'Lumen/A19', status: 'ACTIVE', name: 'imported' }]) });
    await sleep(300);
    await quarantine.commit();
    expect((await imported).failed).toBe(0);
    const after = await w.tdb.db.device.findUniqueOrThrow({ where: { id: d.id } });
    expect(after).toMatchObject({ status: 'QUARANTINED', name: 'imported' });
  });
});

describe('an import that read a device before a change to it committed', () => {
  it('keeps the version an update installed and the attributes the device reported meanwhile', async () => {
    const d = w.lights[1]!;
    const update = await holdInTransaction(pool, `UPDATE devices SET firmware_version = '9.9.9', firmware_key = 'k', attributes = attributes || '{"hw_rev": "3"}' WHERE id = $1`, [d.id]);
    const imported = importDevices(w.deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify([{ serial: d.serial, model: 'Lumen/A19', attributes: { rack: 'B2' } }]) });
    await sleep(300);
    await update.commit();
    expect((await imported).failed).toBe(0);
    const after = await w.tdb.db.device.findUniqueOrThrow({ where: { id: d.id } });
    expect(after.firmwareVersion).toBe('9.9.9');
    expect(after.attributes).toMatchObject({ hw_rev: '3', rack: 'B2' });
  });
});

describe('a release racing a rotation', () => {
  it('never ends with the revoked credential working again beside the new one', async () => {
    const d = w.lights[2]!;
    const revoked = await revokeCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'token leaked' });
    const credentialId = (revoked.containments[0]!.touched as { revokedCredentialIds: string[] }).revokedCredentialIds[0]!;
    // Someone else's transaction holds the revoked credential's row: the release's reinstatement waits on it.
    const holder = await holdInTransaction(pool, 'SELECT 1 FROM device_credentials WHERE id = $1 FOR UPDATE', [credentialId]);
    const release = releaseContainment(w.deps, RESPONDER, { id: revoked.containments[0]!.id, reason: 'false positive' });
    await sleep(300);
    // Meanwhile a responder rotates the device's credentials.
    const rotation = rotateCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'compromise confirmed' });
    await sleep(300);
    await holder.commit();
    const [, rotated] = await Promise.all([release, rotation]);
    // Serially, in either order, only the rotation's new token works.
    expect(await tokenWorks(w, d.token)).toBe(false);
    expect(await tokenWorks(w, rotated.credentials[0]!.token)).toBe(true);
  });
});

describe('a request sent twice at once with one request key', () => {
  it('rotates once: the twin replays the first, and the tokens the first returned keep working', async () => {
    const d = w.lights[3]!;
    const both = await Promise.all([1, 2].map(() => rotateCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'compromise', requestKey: 'rotate-l4' })));
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(new Set(both.map((r) => r.requestId)).size).toBe(1);
    const first = both.find((r) => !r.replayed)!;
    expect(await tokenWorks(w, first.credentials[0]!.token)).toBe(true);
    expect(await w.tdb.db.containment.count({ where: { deviceId: d.id, kind: 'ROTATE_CREDENTIALS' } })).toBe(1);
  });
});

describe('two responders assigning an incident at once', () => {
  it('each records the assignee they replaced', async () => {
    const incidentId = await openIncident(w, [w.lights[0]!.id]);
    const [ann, bob] = await Promise.all(
      ['ann', 'bob'].map((name) => w.tdb.db.user.create({ data: { email: `${name}-${incidentId}@example.com`, name, passwordHash: 'x', role: 'RESPONDER' } })),
    );
    const first = await holdInTransaction(pool, 'UPDATE incidents SET assignee_id = $1 WHERE id = $2', [ann!.id, incidentId]);
    const second = assignIncident(w.deps, RESPONDER, { id: incidentId, assigneeId: bob!.id });
    await sleep(300);
    await first.commit();
    await second;
    const entry = await w.tdb.db.incidentTimelineEntry.findFirstOrThrow({ where: { incidentId, type: 'ASSIGNMENT' } });
    expect(entry.data).toMatchObject({ from: ann!.id, to: bob!.id });
  });
});

describe('two deliveries of containments on one device', () => {
  it('publish its retained states in the order they were read: the newer state lands last', async () => {
    const d = w.lights[4]!;
    const deps = { ...w.deps, managementAllow: w.config.containment.managementAllow };
    const states: { quarantined: boolean; credentialsRevoked: boolean }[] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => (unblock = r));
    const outlets = (hold: boolean): ContainmentOutlets => ({
      events: { publish: async () => {} },
      devices: {
        publish: async (s) => {
          if (hold) await blocked; // a slow broker for the first delivery
          states.push(...s.filter((x) => x.deviceId === d.id));
        },
      },
    });
    const quarantine = await quarantineDevices(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'scanning' });
    // The first delivery reads the device's containments (the quarantine alone), then waits on its broker…
    const first = deliverContainments(deps, outlets(true), [quarantine.containments[0]!.id]);
    await sleep(300);
    // …while a revocation commits and is delivered.
    const revoke = await revokeCredentials(w.deps, RESPONDER, { deviceIds: [d.id], reason: 'token leaked' });
    const second = deliverContainments(deps, outlets(false), [revoke.containments[0]!.id]);
    await sleep(300);
    unblock();
    await Promise.all([first, second]);
    expect(states.at(-1)).toMatchObject({ quarantined: true, credentialsRevoked: true });
  });
});

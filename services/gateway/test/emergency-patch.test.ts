import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, SYSTEM_ACTOR, ValidationError, firmwareKey, startEmergencyPatch, type Actor } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { upsertDeviceContacts, type ContactRow } from '@warden/db';
import { DdiDevice, type FleetDevice, spawnWorker, stopWorker } from '@warden/testing';
import { eventually, pool, startHarness, type Harness } from './harness.js';

const responder: Actor = { type: 'USER', id: randomUUID(), name: 'rita', role: 'RESPONDER' };
const operator: Actor = { type: 'USER', id: randomUUID(), name: 'otto', role: 'OPERATOR' };

/**
 * An emergency patch from an incident, delivered over DDI with the worker running as its own
 * process. Fleet: 20 hubs on 1.0.0 (CVE fixed in 1.1.0). d0 is compromised and telnetted to d1–d3
 * (tier 1); d1 reached d4 and d5 (tier 2); d6–d13 share d0's segment (tier 2: same segment and
 * vulnerable); d14–d18 are elsewhere but vulnerable (tier 3); d19 already runs 1.1.0.
 */
describe('emergency patch over DDI', () => {
  let h: Harness;
  let worker: ChildProcess;
  let d: FleetDevice[];
  let incidentId: string;
  const sim = new Map<string, DdiDevice>();

  const contact = (from: FleetDevice, to: FleetDevice, count: number): ContactRow => ({
    deviceId: from.id, peerIp: ipOf(to), port: 23, protocol: 'tcp', outbound: true,
    firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString(), bytes: 100 * count, packets: count, count,
  });
  const ipOf = (x: FleetDevice) => `10.50.0.${d.indexOf(x) + 10}`;

  beforeAll(async () => {
    h = await startHarness(20);
    d = h.fleet.devices;
    for (const x of d) sim.set(x.id, new DdiDevice(h.url, x.controllerId, x.token));
    const db = h.tdb.db;
    const site = await db.site.create({ data: { code: 'hq', name: 'HQ' } });
    const iot = await db.segment.create({ data: { siteId: site.id, name: 'iot', cidr: '10.50.0.0/24', zone: 'IOT' } });
    const other = await db.segment.create({ data: { siteId: site.id, name: 'iot-2', cidr: '10.51.0.0/24', zone: 'IOT' } });
    for (const [i, x] of d.entries()) {
      await db.device.update({
        where: { id: x.id },
        data: { ip: ipOf(x), segmentId: i >= 14 && i <= 18 ? other.id : iot.id, ...(i === 19 ? { firmwareVersion: '1.1.0', firmwareKey: firmwareKey('1.1.0') } : {}) },
      });
    }
    await upsertAdvisory(h.deps, SYSTEM_ACTOR, { externalId: 'CVE-2026-7777', severity: 'CRITICAL', affected: [{ modelId: h.fleet.modelId, introduced: '1.0.0', fixed: '1.1.0', lastAffected: null }] });
    await upsertDeviceContacts(h.deps.sql, [contact(d[0]!, d[1]!, 50), contact(d[0]!, d[2]!, 30), contact(d[3]!, d[0]!, 5), contact(d[1]!, d[4]!, 2), contact(d[5]!, d[1]!, 1)]);
    incidentId = randomUUID();
    const at = new Date();
    await db.incident.create({
      data: { id: incidentId, correlationKey: `device:${d[0]!.id}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'telnet scan on iot', severity: 'CRITICAL', segmentId: iot.id, deviceIds: [d[0]!.id], firstAlertAt: at, lastAlertAt: at },
    });
    worker = await spawnWorker(h.env);
  }, 120_000);
  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await h?.close();
  });

  const waveDevices = async (rolloutId: string, index: number) =>
    (await h.tdb.db.updateAction.findMany({ where: { rolloutId, wave: { index } }, select: { deviceId: true }, orderBy: { id: 'asc' } })).map((a) => a.deviceId);
  const at = (ids: string[]) => ids.map((id) => d.findIndex((x) => x.id === id));

  it('is refused below RESPONDER and for unknown incidents or releases, starting nothing', async () => {
    await expect(startEmergencyPatch(h.deps, operator, { incidentId })).rejects.toThrow(ForbiddenError);
    await expect(startEmergencyPatch(h.deps, responder, { incidentId: randomUUID() })).rejects.toThrow(NotFoundError);
    await expect(startEmergencyPatch(h.deps, responder, { incidentId, releaseId: randomUUID() })).rejects.toThrow(NotFoundError);
    await expect(startEmergencyPatch(h.deps, responder, { incidentId, maxTier: 7 })).rejects.toThrow(ValidationError);
    expect(await h.tdb.db.rollout.count()).toBe(0);
  });

  it('patches the exposed devices with the fixed release, most exposed first, and devices install it over DDI', async () => {
    // Sent twice at once (a retry racing the first call): one patch, and the twin gets its result.
    const both = await Promise.all([1, 2].map(() => startEmergencyPatch(h.deps, responder, { incidentId, waves: [{ size: 4 }, { percent: 100 }], idempotencyKey: 'step-1' })));
    const r = both.find((x) => !x.replayed)!;
    expect(both.find((x) => x.replayed)?.rollouts.map((x) => x.id)).toEqual(r.rollouts.map((x) => x.id));
    expect(await h.tdb.db.rollout.count()).toBe(1);
    expect(r.advisories).toEqual(['CVE-2026-7777']);
    expect(r.rollouts).toHaveLength(1);
    const rollout = r.rollouts[0]!;
    expect(rollout).toMatchObject({ releaseId: h.fleet.releases.v110, status: 'RUNNING', emergency: true, approvedBy: 'rita' });
    // The compromised device and its direct contacts first, then 2 hops and the segment, then the rest.
    expect(at(r.targets).slice(0, 4).sort()).toEqual([0, 1, 2, 3]);
    expect(at(r.targets)[0]).toBe(0);
    expect(at(r.targets).slice(4, 14).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(at(r.targets).slice(4, 6).sort()).toEqual([4, 5]); // reached over the graph rank above same-segment only
    expect(at(r.targets).slice(14).sort((a, b) => a - b)).toEqual([14, 15, 16, 17, 18]);
    expect(r.skipped).toEqual([{ deviceId: d[19]!.id, reason: 'NOT_AFFECTED' }]);
    expect(at(await waveDevices(rollout.id, 0)).sort()).toEqual([0, 1, 2, 3]);

    // Wave 1 reaches the most exposed four; once they install, wave 2 follows with no delay.
    const first = d.slice(0, 4);
    await eventually(async () => (await pool(first, 4, async (x) => ((await sim.get(x.id)!.poll()).body as { _links?: { deploymentBase?: unknown } })._links?.deploymentBase)).every(Boolean), 15_000, 'wave 1 dispatched');
    expect(((await sim.get(d[5]!.id)!.poll()).body as { _links?: { deploymentBase?: unknown } })._links?.deploymentBase).toBeUndefined();
    expect(await pool(first, 4, (x) => sim.get(x.id)!.cycle('success'))).toEqual(Array(4).fill('installed'));
    expect(sim.get(d[0]!.id)!.installs[0]).toMatch(/:1\.1\.0$/);
    const waiting = new Set(d.slice(4, 19));
    await eventually(async () => {
      await pool([...waiting], 8, async (x) => (await sim.get(x.id)!.cycle('success')) === 'installed' && waiting.delete(x));
      return waiting.size === 0;
    }, 20_000, 'wave 2 installed');
    await eventually(async () => (await h.tdb.db.rollout.findUniqueOrThrow({ where: { id: rollout.id } })).status === 'SUCCEEDED', 15_000, 'rollout done');
    expect(await h.tdb.db.device.count({ where: { id: { in: d.map((x) => x.id) }, firmwareVersion: '1.1.0' } })).toBe(20);

    // The incident says what was done and by whom; the audit log has the approval under the incident.
    const timeline = await h.tdb.db.incidentTimelineEntry.findMany({ where: { incidentId, type: 'ROLLOUT' } });
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ actor: `user:${responder.id}`, summary: 'emergency patch: 19 devices in 1 rollout (1.1.0)' });
    expect(timeline[0]!.data).toMatchObject({ rolloutIds: [rollout.id], targets: 19, skipped: { NOT_AFFECTED: 1 }, advisories: ['CVE-2026-7777'] });
    const audits = await h.tdb.db.auditLog.findMany({ where: { OR: [{ targetId: rollout.id }, { targetId: incidentId }] }, orderBy: { id: 'asc' } });
    expect(audits.slice(0, 4).map((a) => [a.action, a.actorName])).toEqual([
      ['rollout.create', 'rita'], ['rollout.approve', 'rita'], ['rollout.start', 'rita'], ['incident.emergencyPatch', 'rita'],
    ]);
    expect(audits[1]!.summary).toMatchObject({ authority: 'emergency patch', incidentId, role: 'RESPONDER' });
  }, 90_000);

  it('returns the first call for a repeated idempotency key, and refuses to patch devices twice', async () => {
    const again = await startEmergencyPatch(h.deps, responder, { incidentId, idempotencyKey: 'step-1' });
    expect(again.replayed).toBe(true);
    expect(again.rollouts.map((r) => r.status)).toEqual(['SUCCEEDED']);
    expect(again.targets).toHaveLength(19);
    // Everything is on 1.1.0 now: the incident's device carries no advisory any more, and nothing is left to patch.
    await expect(startEmergencyPatch(h.deps, responder, { incidentId })).rejects.toThrow(/carry no known advisory/);
    await expect(startEmergencyPatch(h.deps, responder, { incidentId, releaseId: h.fleet.releases.v110 })).rejects.toThrow(/no device to patch/);
    expect(await h.tdb.db.rollout.count()).toBe(1);
  });

  it('waits for an administrator when asked, and says when every target is busy', async () => {
    await h.tdb.db.device.updateMany({ where: { id: { in: d.slice(0, 3).map((x) => x.id) } }, data: { firmwareVersion: '1.0.0', firmwareKey: firmwareKey('1.0.0') } });
    const r = await startEmergencyPatch(h.deps, responder, { incidentId, deviceIds: [d[2]!.id, d[0]!.id, d[1]!.id], approval: 'ADMIN', releaseId: h.fleet.releases.v110 });
    expect(r.rollouts.map((x) => [x.status, x.approvedBy])).toEqual([['WAITING_APPROVAL', null]]);
    expect(at(r.targets)[0]).toBe(0); // the compromised device first, whatever order it was named in
    expect(at(r.targets).sort()).toEqual([0, 1, 2]);
    await expect(startEmergencyPatch(h.deps, responder, { incidentId, deviceIds: [d[0]!.id] })).rejects.toThrow(ConflictError);
  });
});

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, type Actor } from '@warden/core';
import {
  approveRollout,
  cancelRollout,
  createRollout,
  deviceUpdateHistory,
  retryFailedDevices,
  rollbackRollout,
  rolloutProgress,
  startRollout,
} from '@warden/core/rollouts';
import { DdiDevice, type FleetDevice, spawnWorker, stopWorker } from '@warden/testing';
import { eventually, pool, startHarness, type Harness } from './harness.js';

const admin: Actor = { type: 'USER', id: null, name: 'ada', role: 'ADMIN' };
const operator: Actor = { type: 'USER', id: null, name: 'otto', role: 'OPERATOR' };

/**
 * Rollouts driven through the DDI HTTP API as devices would drive them, with the worker running as
 * its own process.
 */
describe('rollouts over DDI', () => {
  let h: Harness;
  let worker: ChildProcess;
  const sim = new Map<string, DdiDevice>();
  const deviceOf = (d: FleetDevice) => sim.get(d.id)!;
  let groupA: FleetDevice[];
  let groupB: FleetDevice[];
  let groupC: FleetDevice[];

  beforeAll(async () => {
    h = await startHarness(260);
    for (const d of h.fleet.devices) sim.set(d.id, new DdiDevice(h.url, d.controllerId, d.token));
    groupA = h.fleet.devices.slice(0, 200);
    groupB = h.fleet.devices.slice(200, 240);
    groupC = h.fleet.devices.slice(240, 260);
    worker = await spawnWorker(h.env);
  }, 120_000);
  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await h?.close();
  });

  const status = async (id: string) => (await h.tdb.db.rollout.findUniqueOrThrow({ where: { id } })).status;
  const waveDevices = async (rolloutId: string, index: number) => {
    const actions = await h.tdb.db.updateAction.findMany({ where: { rolloutId, wave: { index }, superseded: false }, select: { deviceId: true } });
    return h.fleet.devices.filter((d) => actions.some((a) => a.deviceId === d.id));
  };
  const withLink = async (devices: FleetDevice[]) =>
    (
      await pool(devices, 20, async (d) => {
        const body = (await deviceOf(d).poll()).body as { _links?: Record<string, unknown> };
        return body._links?.deploymentBase ? d : null;
      })
    ).filter((d): d is FleetDevice => d !== null);

  it('runs 200 devices through 4 waves and aborts exactly at the error threshold, canceling what is in flight', async () => {
    const legacy = await h.tdb.db.device.findFirstOrThrow({ where: { controllerId: 'dev-legacy' } });
    const r = await createRollout(h.deps, operator, {
      name: 'hub 1.1.0',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: [...groupA.map((d) => d.id), legacy.id] },
      waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
      successThresholdPct: 95,
      errorThresholdPct: 10,
      errorAction: 'ABORT',
      emergency: true,
      waveDelaySeconds: 3600, // emergency: no waiting anyway
    });
    expect(r.waveSizes).toEqual([2, 18, 80, 100]);
    expect(r.exclusions).toEqual([{ deviceId: legacy.id, reason: 'NOT_OTA_CAPABLE' }]);
    await expect(startRollout(h.deps, operator, r.id)).rejects.toThrow(ConflictError);
    await expect(approveRollout(h.deps, operator, r.id)).rejects.toThrow(ForbiddenError);
    await approveRollout(h.deps, admin, r.id);
    await startRollout(h.deps, operator, r.id);

    // Waves 1 and 2: every device that is given the update installs it.
    for (const [index, size] of [[0, 2], [1, 18]] as const) {
      const members = await waveDevices(r.id, index);
      expect(members).toHaveLength(size);
      const ready = await eventually(async () => {
        const l = await withLink(members);
        return l.length === size && l;
      }, 15_000, `wave ${index + 1} dispatched`);
      expect(await pool(ready, 20, (d) => deviceOf(d).cycle('success'))).toEqual(Array(size).fill('installed'));
    }
    // Only then does wave 3 reach devices; wave 4 does not yet.
    const wave3 = await waveDevices(r.id, 2);
    const wave4 = await waveDevices(r.id, 3);
    await eventually(async () => (await withLink(wave3)).length === 80, 15_000, 'wave 3 dispatched');
    expect(await withLink(wave4)).toEqual([]);

    const [succeed, inFlight, fail] = [wave3.slice(0, 60), wave3.slice(60, 72), wave3.slice(72, 80)];
    await pool(succeed, 20, (d) => deviceOf(d).cycle('success'));
    await pool(inFlight, 20, (d) => deviceOf(d).cycle('retrieve-only'));
    for (const d of fail.slice(0, 7)) expect(await deviceOf(d).cycle('failure')).toBe('failed');
    await new Promise((res) => setTimeout(res, 500)); // the orchestrator has looked: 7 of 80 is below 10%
    expect(await status(r.id)).toBe('RUNNING');
    expect(await deviceOf(fail[7]!).cycle('failure')).toBe('failed');
    await eventually(async () => (await status(r.id)) === 'ABORTED', 10_000, 'abort');
    const aborted = await h.tdb.db.rollout.findUniqueOrThrow({ where: { id: r.id } });
    expect(aborted.statusReason).toContain('8 of 80');

    // In-flight devices get a cancelAction; wave 4 never sees the update.
    expect(await pool(inFlight, 20, (d) => deviceOf(d).cycle('success'))).toEqual(Array(12).fill('canceled'));
    expect(await withLink(wave4)).toEqual([]);
    const failedAction = await h.tdb.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id, deviceId: fail[0]!.id } });
    const late = await deviceOf(fail[0]!).request('POST', `${deviceOf(fail[0]!).base}/deploymentBase/${failedAction.id}/feedback`, DdiDevice.feedback('closed', 'success'));
    expect(late.status).toBe(410);

    const progress = await rolloutProgress(h.deps, operator, r.id);
    expect(progress.waves.map((w) => w.counts)).toEqual([{ FINISHED: 2 }, { FINISHED: 18 }, { FINISHED: 60, ERROR: 8, CANCELED: 12 }, { CANCELED: 100 }]);
    expect(await h.tdb.db.device.count({ where: { id: { in: groupA.map((d) => d.id) }, firmwareVersion: '1.1.0' } })).toBe(80);
    const audits = await h.tdb.db.auditLog.findMany({ where: { targetId: r.id }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => a.action)).toEqual(['rollout.create', 'rollout.approve', 'rollout.start', 'rollout.wave.start', 'rollout.wave.start', 'rollout.wave.start', 'rollout.abort']);
    expect(audits[1]!.actorName).toBe('ada');
  });

  it('times out a silent device, pauses exactly at the threshold, retries the failed devices, then rolls back', async () => {
    const r = await createRollout(h.deps, operator, {
      name: 'hub 1.1.0 for B',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: groupB.map((d) => d.id) },
      waves: [{ percent: 50 }, { percent: 100 }],
      successThresholdPct: 100,
      errorThresholdPct: 10, // 2 of 20
      errorAction: 'PAUSE',
      deviceDeadlineSeconds: 8,
      waveDelaySeconds: 0,
      requiresApproval: false,
    });
    await startRollout(h.deps, operator, r.id);
    const wave1 = await waveDevices(r.id, 0);
    await eventually(async () => (await withLink(wave1)).length === 20, 15_000, 'wave 1 dispatched');
    const [silent, failing, rest] = [wave1[0]!, wave1[1]!, wave1.slice(2)];
    expect(await deviceOf(silent).cycle('silent')).toBe('silent');
    expect(await deviceOf(failing).cycle('failure')).toBe('failed');
    await pool(rest, 20, (d) => deviceOf(d).cycle('success'));
    await new Promise((res) => setTimeout(res, 300));
    expect(await status(r.id)).toBe('RUNNING'); // one failure of 20: below 10%
    expect((await h.tdb.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id, deviceId: silent.id } })).status).toBe('RUNNING');
    // The silent device's deadline passes: TIMED_OUT is the second failure.
    await eventually(async () => (await status(r.id)) === 'PAUSED', 10_000, 'pause at the threshold');
    const paused = await h.tdb.db.rollout.findUniqueOrThrow({ where: { id: r.id } });
    expect(paused.statusReason).toContain('2 of 20');
    const silentAction = await h.tdb.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id, deviceId: silent.id } });
    expect(silentAction.status).toBe('TIMED_OUT');
    expect(await withLink(await waveDevices(r.id, 1))).toEqual([]);

    const { retried } = await retryFailedDevices(h.deps, operator, r.id);
    expect(retried).toBe(2);
    const again = await eventually(async () => {
      const l = await withLink([silent, failing]);
      return l.length === 2 && l;
    }, 10_000, 'retry dispatched');
    expect(await pool(again, 2, (d) => deviceOf(d).cycle('success'))).toEqual(['installed', 'installed']);
    const wave2 = await waveDevices(r.id, 1);
    await eventually(async () => (await withLink(wave2)).length === 20, 15_000, 'wave 2 dispatched');
    await pool(wave2, 20, (d) => deviceOf(d).cycle('success'));
    await eventually(async () => (await status(r.id)) === 'SUCCEEDED', 10_000, 'rollout succeeded');
    const history = await deviceUpdateHistory(h.deps, operator, silent.id, { take: 10 });
    expect(history.map((a) => [a.attempt, a.status])).toEqual([
      [2, 'FINISHED'],
      [1, 'TIMED_OUT'],
    ]);
    expect(await h.tdb.db.device.count({ where: { id: { in: groupB.map((d) => d.id) }, firmwareVersion: '1.1.0' } })).toBe(40);

    // Roll back: a new rollout to 1.0.0 for the 40 devices this one touched.
    const back = await rollbackRollout(h.deps, operator, r.id, { deviceDeadlineSeconds: 600 });
    expect(back.rollbackOfId).toBe(r.id);
    expect(back.waveSizes).toEqual([40]);
    expect(back.status).toBe('WAITING_APPROVAL');
    await approveRollout(h.deps, admin, back.id);
    await startRollout(h.deps, operator, back.id);
    await eventually(async () => (await withLink(groupB)).length === 40, 15_000, 'rollback dispatched');
    await pool(groupB, 20, (d) => deviceOf(d).cycle('success'));
    await eventually(async () => (await status(back.id)) === 'SUCCEEDED', 10_000, 'rollback succeeded');
    expect(await h.tdb.db.device.count({ where: { id: { in: groupB.map((d) => d.id) }, firmwareVersion: '1.0.0' } })).toBe(40);
    expect(deviceOf(silent).installs.map((i) => i.split(':')[1])).toEqual(['1.1.0', '1.0.0']);
  });

  it('cancels a rollout: devices working on it get cancelAction, the rest never see it', async () => {
    const r = await createRollout(h.deps, operator, {
      name: 'to cancel',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: groupC.map((d) => d.id) },
      waves: [{ percent: 100 }],
      requiresApproval: false,
    });
    await startRollout(h.deps, operator, r.id);
    await eventually(async () => (await withLink(groupC)).length === 20, 15_000, 'dispatched');
    const [working, notYet] = [groupC.slice(0, 10), groupC.slice(10)];
    await pool(working, 10, (d) => deviceOf(d).cycle('retrieve-only'));
    await cancelRollout(h.deps, operator, r.id);
    await expect(cancelRollout(h.deps, operator, r.id)).rejects.toThrow(/cannot cancel/);
    expect(await pool(notYet, 10, (d) => deviceOf(d).cycle('success'))).toEqual(Array(10).fill('idle'));
    // A cancel in progress is not a deployment any more.
    const one = await h.tdb.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id, deviceId: working[0]!.id } });
    expect((await deviceOf(working[0]!).request('GET', `${deviceOf(working[0]!).base}/deploymentBase/${one.id}`)).status).toBe(404);
    const cancel = await deviceOf(working[0]!).request('GET', `${deviceOf(working[0]!).base}/cancelAction/${one.id}`);
    expect(cancel.body).toEqual({ id: String(one.id), cancelAction: { stopId: String(one.id) } });
    expect(await pool(working, 10, (d) => deviceOf(d).cycle('success'))).toEqual(Array(10).fill('canceled'));
    const actions = await h.tdb.db.updateAction.groupBy({ by: ['status'], where: { rolloutId: r.id }, _count: { _all: true } });
    expect(actions).toEqual([{ status: 'CANCELED', _count: { _all: 20 } }]);
    expect(await status(r.id)).toBe('CANCELED');
  });
});

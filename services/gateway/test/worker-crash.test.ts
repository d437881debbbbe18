import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { createRollout, startRollout } from '@warden/core/rollouts';
import { DdiDevice, spawnWorker, stopWorker } from '@warden/testing';
import { eventually, pool, startHarness, type Harness } from './harness.js';

/** Killing the worker (SIGKILL, no goodbye) mid-rollout neither loses nor repeats an update. */
describe('worker crash mid-rollout', () => {
  let h: Harness;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    h = await startHarness(200);
  }, 120_000);
  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await h?.close();
  });

  it('completes after restarts with every device updated exactly once', async () => {
    const devices = h.fleet.devices.map((d) => new DdiDevice(h.url, d.controllerId, d.token));
    worker = await spawnWorker(h.env);
    const r = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: 'crash test',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: h.fleet.devices.map((d) => d.id) },
      waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
      successThresholdPct: 100,
      emergency: true,
      requiresApproval: false,
    });
    await startRollout(h.deps, SYSTEM_ACTOR, r.id);

    let done = false;
    const fleet = (async () => {
      while (!done) {
        await pool(devices, 25, (d) => (d.installs.length ? Promise.resolve('idle') : d.cycle('success')));
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    const installed = () => devices.filter((d) => d.installs.length).length;
    const kills: number[] = [];
    for (const at of [2, 30, 120]) {
      await eventually(async () => installed() >= at, 30_000, `${at} devices installed`);
      kills.push(installed());
      await stopWorker(worker!, 'SIGKILL');
      await new Promise((res) => setTimeout(res, 300)); // devices keep reporting meanwhile
      worker = await spawnWorker(h.env);
    }
    await eventually(async () => (await h.tdb.db.rollout.findUniqueOrThrow({ where: { id: r.id } })).status === 'SUCCEEDED', 60_000, 'rollout success');
    done = true;
    await fleet;

    expect(kills.length).toBe(3);
    expect(devices.every((d) => d.installs.length === 1)).toBe(true);
    const actions = await h.tdb.db.updateAction.findMany({ where: { rolloutId: r.id }, select: { deviceId: true, status: true } });
    expect(actions).toHaveLength(200);
    expect(new Set(actions.map((a) => a.deviceId)).size).toBe(200);
    expect(actions.every((a) => a.status === 'FINISHED')).toBe(true);
    const closedFeedback = await h.tdb.db.updateActionStatusEntry.count({ where: { action: { rolloutId: r.id }, source: 'DEVICE', execution: 'closed' } });
    expect(closedFeedback).toBe(200);
    const waves = await h.tdb.db.rolloutWave.findMany({ where: { rolloutId: r.id }, orderBy: { index: 'asc' } });
    expect(waves.map((w) => [w.size, w.status])).toEqual([
      [2, 'SUCCEEDED'],
      [18, 'SUCCEEDED'],
      [80, 'SUCCEEDED'],
      [100, 'SUCCEEDED'],
    ]);
    const waveStarts = await h.tdb.db.auditLog.count({ where: { targetId: r.id, action: 'rollout.wave.start' } });
    expect(waveStarts).toBe(4);
  }, 150_000);
});

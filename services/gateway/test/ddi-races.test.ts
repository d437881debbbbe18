import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { createRollout, evaluateRollout, startRollout } from '@warden/core/rollouts';
import { createSqlPool, type SqlPool } from '@warden/db';
import { DdiDevice, holdInTransaction } from '@warden/testing';
import { startHarness, type Harness } from './harness.js';

/** DDI against server-side changes that commit while a device's request is on its way. */
describe('DDI races', () => {
  let h: Harness;
  let pool: SqlPool;
  let device: DdiDevice;

  beforeAll(async () => {
    h = await startHarness(1);
    pool = createSqlPool(h.tdb.url, 1);
    const d = h.fleet.devices[0]!;
    device = new DdiDevice(h.url, d.controllerId, d.token);
  });
  afterAll(async () => {
    await pool?.end();
    await h?.close();
  });

  it('does not hand out a deployment that was canceled while the device fetched it', async () => {
    const r = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: 'canceled under the device',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: [h.fleet.devices[0]!.id] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
    });
    await startRollout(h.deps, SYSTEM_ACTOR, r.id);
    await evaluateRollout(h.deps, r.id);
    const poll = (await device.poll()).body as { _links: { deploymentBase: { href: string } } };
    const action = await h.deps.db.updateAction.findFirstOrThrow({ where: { rolloutId: r.id } });
    expect(action.status).toBe('SCHEDULED');

    // The cancellation's transaction holds the action while the device asks for it.
    const cancel = await holdInTransaction(pool, `UPDATE update_actions SET status = 'CANCELED', finished_at = now() WHERE id = $1`, [action.id]);
    const fetched = device.request('GET', poll._links.deploymentBase.href);
    await new Promise((res) => setTimeout(res, 300));
    await cancel.commit();

    expect((await fetched).status).toBe(404);
    const after = await h.deps.db.updateAction.findUniqueOrThrow({ where: { id: action.id }, include: { history: true } });
    expect(after.status).toBe('CANCELED');
    expect(after.history.some((e) => e.status === 'RETRIEVED')).toBe(false);
  });

  it('keeps both sides when a device reports attributes while an operator edits them', async () => {
    const d = h.fleet.devices[0]!;
    const edit = await holdInTransaction(pool, `UPDATE devices SET attributes = attributes || '{"asset_tag": "A-17"}' WHERE id = $1`, [d.id]);
    const report = device.request('PUT', `${device.base}/configData`, { mode: 'merge', data: { hw_rev: '3' } });
    await new Promise((res) => setTimeout(res, 300));
    await edit.commit();
    expect((await report).status).toBe(200);
    const after = await h.deps.db.device.findUniqueOrThrow({ where: { id: d.id } });
    expect(after.attributes).toMatchObject({ asset_tag: 'A-17', hw_rev: '3' });
  });

  it('gives a device to one of two rollouts created at once for it, never to both', async () => {
    const d = h.fleet.devices[0]!;
    expect(await h.deps.db.updateAction.count({ where: { deviceId: d.id, status: 'PLANNED' } })).toBe(0);
    const create = (name: string) =>
      createRollout(h.deps, SYSTEM_ACTOR, { name, releaseId: h.fleet.releases.v110, filter: { deviceIds: [d.id] }, waves: [{ percent: 100 }], requiresApproval: false }).then(
        (r) => r.id,
        (err: { code?: string }) => err.code,
      );
    const outcomes = await Promise.all([create('first of two'), create('second of two')]);
    // One plans the device; the other finds it busy with the first and has nothing to update.
    expect(outcomes.filter((o) => o === 'BAD_USER_INPUT')).toHaveLength(1);
    expect(await h.deps.db.updateAction.count({ where: { deviceId: d.id, status: 'PLANNED' } })).toBe(1);
  });
});

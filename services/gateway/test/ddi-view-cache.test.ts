import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { cancelRollout, createRollout, evaluateRollout, startRollout } from '@warden/core/rollouts';
import { DdiDevice } from '@warden/testing';
import { eventually, startHarness, type Harness } from './harness.js';

type Links = { _links?: Record<string, { href: string }> };
const links = async (d: DdiDevice) => Object.keys(((await d.poll()).body as Links)._links ?? {}).sort();

/**
 * Poll answers come from memory, and the database's change notifications keep them current: a new
 * action, a cancel or a request for attributes shows on the very next poll.
 */
describe('DDI poll answers kept in memory', () => {
  let h: Harness;
  let device: DdiDevice;
  let deviceId: string;
  /** A second device no rollout touches: no late notification about it can refresh its answer. */
  let idle: DdiDevice;
  let idleId: string;
  let admin: pg.Client;

  /** Writes as a tool that bypasses triggers would: the change is real but never announced. */
  async function unannounced(sql: string, values: unknown[]) {
    await admin.query('SET session_replication_role = replica');
    await admin.query(sql, values);
    await admin.query('SET session_replication_role = origin');
  }

  beforeAll(async () => {
    h = await startHarness(2);
    const [d, e] = [h.fleet.devices[0]!, h.fleet.devices[1]!];
    device = new DdiDevice(h.url, d.controllerId, d.token);
    deviceId = d.id;
    idle = new DdiDevice(h.url, e.controllerId, e.token);
    idleId = e.id;
    admin = new pg.Client({ connectionString: h.tdb.url });
    await admin.connect();
    // The device reports its attributes, so the server stops asking for them.
    expect((await device.request('PUT', `${device.base}/configData`, { mode: 'merge', data: { hw: 'rev2' } })).status).toBe(200);
  });
  afterAll(async () => {
    await admin.end();
    await h.close();
  });

  it('answers from memory: a change the database does not announce stays unseen', async () => {
    await eventually(async () => (await links(device)).length === 0, 5000, 'an idle answer');
    await unannounced('UPDATE ddi_controller_state SET config_requested = true WHERE device_id = $1', [deviceId]);
    for (let i = 0; i < 5; i++) expect(await links(device)).toEqual([]);
  });

  it('shows a new action and then its cancel on the next poll, through the notifications', async () => {
    const r = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: 'cached polls',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: [deviceId] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
      forced: false,
    });
    await startRollout(h.deps, SYSTEM_ACTOR, r.id);
    await evaluateRollout(h.deps, r.id);
    // The notification is delivered on commit; allow it the time to cross the socket.
    const withAction = await eventually(async () => ((await links(device)).includes('deploymentBase') ? links(device) : null), 2000, 'the action');
    // Re-read from the database: the unannounced attribute request is now visible too.
    expect(withAction).toEqual(['configData', 'deploymentBase']);

    // The device starts on it (fetching the deployment), so a cancel must reach it as a cancelAction.
    const href = ((await device.poll()).body as Required<Links>)._links.deploymentBase!.href;
    expect((await device.request('GET', href)).status).toBe(200);
    await cancelRollout(h.deps, SYSTEM_ACTOR, r.id);
    expect(await eventually(async () => ((await links(device)).includes('cancelAction') ? links(device) : null), 2000, 'the cancel')).toEqual([
      'cancelAction',
      'configData',
    ]);
  });

  it('reads the database again when the listener loses its connection, and caches again once back', async () => {
    await unannounced('INSERT INTO ddi_controller_state (device_id, config_requested) VALUES ($1, true) ON CONFLICT (device_id) DO UPDATE SET config_requested = true', [idleId]);
    await eventually(async () => (await links(idle)).includes('configData'), 5000, 'the attribute request');
    await unannounced('UPDATE ddi_controller_state SET config_requested = false WHERE device_id = $1', [idleId]);
    expect(await links(idle)).toContain('configData'); // still the remembered answer
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'warden-listen-ddi_view' AND datname = current_database()");
    await eventually(async () => !(await links(idle)).includes('configData'), 5000, 'a fresh answer after the listener dropped');
    // Reconnected (with backoff): answers are kept again.
    await eventually(async () => {
      const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'warden-listen-ddi_view' AND datname = current_database() AND state = 'idle' AND query = 'LISTEN ddi_view'");
      return rows.length === 1;
    }, 5000, 'the listener to reconnect');
    await links(idle);
    await unannounced('UPDATE ddi_controller_state SET config_requested = true WHERE device_id = $1', [idleId]);
    expect(await links(idle)).not.toContain('configData');
  });
});

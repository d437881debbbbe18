import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlPool, listen, type Listener, type SqlPool } from '@warden/db';
import { createRolloutFleet, createTestDatabase, testConfig, type RolloutFleet, type TestDatabase } from '@warden/testing';
import { SYSTEM_ACTOR } from '../auth/roles.js';
import { createRollout } from '../rollouts/create-rollout.js';

/**
 * The database announces on `ddi_view` the devices whose poll answer changed (the gateways'
 * poll-answer caches depend on it): an action moved to another status or another device.
 */
describe('ddi_view notifications for update actions', () => {
  let database: TestDatabase;
  let fleet: RolloutFleet;
  let rolloutId: string;
  let listener: Listener;
  let writer: SqlPool;
  const heard = new Set<string>();
  let marker: { id: string; done: () => void } | null = null;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testConfig();
    fleet = await createRolloutFleet({ db: database.db, sql: database.sql, config }, 300);
    const r = await createRollout({ db: database.db, sql: database.sql, config }, SYSTEM_ACTOR, {
      name: 'notify',
      releaseId: fleet.releases.v110,
      filter: { modelIds: [fleet.modelId] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
    });
    rolloutId = r.id;
    await new Promise<void>((ready) => {
      listener = listen(database.url, 'ddi_view', {
        onNotify: (payload) => {
          if (payload === marker?.id) marker.done();
          else payload.split(',').forEach((id) => heard.add(id));
        },
        onState: (listening) => listening && ready(),
      });
    });
    // One session for every write: the trigger's plan, made for its first statement, is kept.
    writer = createSqlPool(database.url, 1);
  });
  afterAll(async () => {
    await listener?.close();
    await writer?.end();
    await database?.drop();
  });

  /** Runs a statement on the writer and returns the device ids announced for it. */
  async function announced(sql: string, values: unknown[] = []): Promise<string[]> {
    heard.clear();
    await writer.query(sql, values);
    // Notifications arrive in commit order: once a later marker is heard, the statement's are in.
    const id = `marker-${Math.random()}`;
    const seen = new Promise<void>((done) => (marker = { id, done }));
    await writer.query('SELECT pg_notify($1, $2)', ['ddi_view', id]);
    await seen;
    return [...heard].sort();
  }

  it('announces every device of a large status change made after a small one in the same session', async () => {
    expect(await announced(`UPDATE update_actions SET last_message = 'none' WHERE false`)).toEqual([]);
    const ids = fleet.devices.map((d) => d.id).sort();
    expect(await announced(`UPDATE update_actions SET status = 'SCHEDULED' WHERE rollout_id = $1`, [rolloutId])).toEqual(ids);
  });

  it('stays quiet when no action changed status or device', async () => {
    expect(await announced(`UPDATE update_actions SET last_message = 'still scheduled' WHERE rollout_id = $1`, [rolloutId])).toEqual([]);
    expect(await announced(`UPDATE update_actions SET status = 'SCHEDULED' WHERE rollout_id = $1`, [rolloutId])).toEqual([]);
  });

  it('announces both devices when an action moves from one device to another', async () => {
    const from = fleet.devices[0]!.id;
    const legacy = await database.db.device.findFirstOrThrow({ where: { controllerId: 'dev-legacy' } });
    expect(await announced(`UPDATE update_actions SET device_id = $2 WHERE rollout_id = $1 AND device_id = $3`, [rolloutId, legacy.id, from])).toEqual(
      [from, legacy.id].sort(),
    );
  });
});

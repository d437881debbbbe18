import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createTelemetryFleet, createTestDatabase, testConfig, type FleetFixture, type TestDatabase } from '@warden/testing';
import { hashSecret } from '../auth/secrets.js';
import { PollRecorder } from './controller.js';
import { TokenPollBatcher } from './token-polls.js';

let database: TestDatabase;
let fleet: FleetFixture;
const config = testConfig();

beforeAll(async () => {
  database = await createTestDatabase();
  fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 40);
});
afterAll(async () => database?.drop());

/** The test database's pool, counting the statements sent through it. */
function countingPool(): { sql: SqlPool; statements: () => number; end(): Promise<void> } {
  const sql = createSqlPool(database.url, 4);
  let n = 0;
  const query = sql.query.bind(sql) as (...args: unknown[]) => unknown;
  (sql as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    n++;
    return query(...args);
  };
  return { sql, statements: () => n, end: () => sql.end() };
}

describe('TokenPollBatcher', () => {
  it('answers each poll for its own token, sharing statements between polls that arrive together', async () => {
    const pool = countingPool();
    try {
      const polls = new TokenPollBatcher({ sql: pool.sql, config }, { concurrency: 2, maxBatch: 8 });
      const devices = fleet.devices.slice(0, 30);
      const answers = await Promise.all([...devices.map((d) => polls.poll(d.token)), polls.poll(devices[0]!.token), polls.poll('wdt_unknown')]);
      expect(answers.slice(0, 30).map((a) => a?.deviceId)).toEqual(devices.map((d) => d.id));
      expect(answers.slice(0, 30).map((a) => a?.controllerId)).toEqual(devices.map((d) => d.controllerId));
      expect(answers[30]?.deviceId).toBe(devices[0]!.id);
      expect(answers[31]).toBeNull();
      // No action yet, and no attributes reported: the device is asked for them.
      expect(answers[0]!.view).toEqual({ action: null, configRequested: true });
      // 31 distinct tokens, at most 8 a statement.
      expect(pool.statements()).toBe(4);
    } finally {
      await pool.end();
    }
  });

  it('checks every poll against the database: a revoked, expired or retired token fails on its next poll', async () => {
    const polls = new TokenPollBatcher({ sql: database.sql, config });
    const [a, b, c, d] = fleet.devices.slice(30, 34) as [FleetFixture['devices'][0], FleetFixture['devices'][0], FleetFixture['devices'][0], FleetFixture['devices'][0]];
    for (const x of [a, b, c, d]) expect((await polls.poll(x.token))?.deviceId).toBe(x.id);
    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(a.token, config.auth.tokenPepper) }, data: { revokedAt: new Date() } });
    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(b.token, config.auth.tokenPepper) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await database.db.device.update({ where: { id: c.id }, data: { status: 'RETIRED' } });
    expect(await Promise.all([a, b, c, d].map((x) => polls.poll(x.token)))).toEqual([null, null, null, expect.objectContaining({ deviceId: d.id })]);
  });

  it('fails the polls of a statement that fails, and keeps serving the next ones', async () => {
    const sql = createSqlPool(database.url, 1);
    const polls = new TokenPollBatcher({ sql, config });
    const d = fleet.devices[35]!;
    await sql.end();
    await expect(Promise.all([polls.poll(d.token), polls.poll(fleet.devices[36]!.token)])).rejects.toThrow();
    const working = new TokenPollBatcher({ sql: database.sql, config });
    expect((await working.poll(d.token))?.deviceId).toBe(d.id);
  });
});

describe('PollRecorder', () => {
  it('keeps the exact last poll, and moves the registry\'s last-seen time at most every 30 s', async () => {
    const recorder = new PollRecorder({ db: database.db });
    const d = fleet.devices[37]!;
    const t0 = new Date('2026-11-20T10:00:00.000Z');
    const read = async () => ({
      device: (await database.db.device.findUniqueOrThrow({ where: { id: d.id } })).lastSeenAt,
      poll: await database.db.ddiControllerState.findUniqueOrThrow({ where: { deviceId: d.id } }),
    });
    recorder.record(d.id, '10.20.0.7', t0);
    await recorder.flush();
    let r = await read();
    expect(r.device).toEqual(t0);
    expect(r.poll).toMatchObject({ lastPollAt: t0, lastPollIp: '10.20.0.7' });

    const t1 = new Date(t0.getTime() + 10_000);
    recorder.record(d.id, '10.20.0.8', t1);
    await recorder.flush();
    r = await read();
    expect(r.device).toEqual(t0);
    expect(r.poll).toMatchObject({ lastPollAt: t1, lastPollIp: '10.20.0.8' });

    const t2 = new Date(t0.getTime() + 31_000);
    recorder.record(d.id, '10.20.0.8', t2);
    await recorder.stop();
    expect((await read()).device).toEqual(t2);
  });

  it('skips a device row another transaction holds instead of waiting for it (no deadlock with the stream), and catches up on the next poll', async () => {
    const recorder = new PollRecorder({ db: database.db });
    const [held, free] = [fleet.devices[38]!, fleet.devices[39]!];
    const t0 = new Date('2026-11-21T10:00:00.000Z');
    const seen = async (id: string) => (await database.db.device.findUniqueOrThrow({ where: { id } })).lastSeenAt;
    const holder = createSqlPool(database.url, 1);
    const client = await holder.connect();
    try {
      await client.query('BEGIN');
      // The lock an update of the row takes (the stream's batch moving last_seen_at holds it until it commits).
      await client.query('SELECT id FROM devices WHERE id = $1 FOR NO KEY UPDATE', [held.id]);
      recorder.record(held.id, null, t0);
      recorder.record(free.id, null, t0);
      const started = Date.now();
      await recorder.flush();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await seen(free.id)).toEqual(t0);
      expect(await seen(held.id)).not.toEqual(t0);
      // The exact poll time is recorded for both.
      expect((await database.db.ddiControllerState.findUniqueOrThrow({ where: { deviceId: held.id } })).lastPollAt).toEqual(t0);
      await client.query('COMMIT');
    } finally {
      client.release();
      await holder.end();
    }
    const t1 = new Date(t0.getTime() + 5_000);
    recorder.record(held.id, null, t1);
    await recorder.flush();
    expect(await seen(held.id)).toEqual(t1);
  });
});

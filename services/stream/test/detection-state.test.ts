import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialDeviceDetectionState, type DeviceDetectionState } from '@warden/core';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createTelemetryFleet, createTestDatabase, type FleetFixture, type TestDatabase } from '@warden/testing';
import { createDetectionStateStore } from '../src/detection/detection-state.js';

/** Detection's in-memory keyed state against the real device_detection_state table. */
let database: TestDatabase;
let pool: SqlPool;
let fleet: FleetFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createSqlPool(database.url, 2);
  fleet = await createTelemetryFleet(database.db, 'test-pepper-0123456789', 6);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const at = (lastTs: number, lastSeq = lastTs): DeviceDetectionState => ({ ...initialDeviceDetectionState(), lastSeq, lastTs });
const stored = async (id: string) =>
  (await pool.query<{ state: DeviceDetectionState }>('SELECT state FROM device_detection_state WHERE device_id = $1', [id])).rows[0]?.state;

describe('detection state store', () => {
  it('writes changed states once per checkpoint, and nothing when nothing changed', async () => {
    const [a, b] = [fleet.devices[0]!.id, fleet.devices[1]!.id];
    const store = createDetectionStateStore({ idleMs: 60_000 });
    const subjects = await store.load(pool, new Map([[a, 0], [b, 0]]));
    expect(subjects.get(a)).toMatchObject({ facts: { id: a, kind: 'SENSOR', segmentId: fleet.segmentId, critical: false }, state: undefined });

    store.apply(new Map([[a, at(100)], [b, at(50)]]));
    expect(await stored(a)).toBeUndefined();
    expect(await store.checkpoint(pool)).toBe(2);
    expect(await stored(a)).toMatchObject({ lastTs: 100 });
    expect(await stored(b)).toMatchObject({ lastTs: 50 });
    expect(await store.checkpoint(pool)).toBe(0);

    // A new store (a restart) reads what was checkpointed.
    const again = await createDetectionStateStore({ idleMs: 60_000 }).load(pool, new Map([[a, 0]]));
    expect(again.get(a)?.state).toMatchObject({ lastTs: 100 });
  });

  it('never replaces a later stored state with an earlier one (two owners during a rebalance)', async () => {
    const id = fleet.devices[2]!.id;
    const store = createDetectionStateStore({ idleMs: 60_000 });
    await store.load(pool, new Map([[id, 1]]));
    await pool.query(`INSERT INTO device_detection_state (device_id, state) VALUES ($1, $2)`, [id, JSON.stringify(at(500))]);
    store.apply(new Map([[id, at(300)]]));
    await store.checkpoint(pool);
    expect(await stored(id)).toMatchObject({ lastTs: 500 });
  });

  it('skips devices deleted from the registry, and ignores unknown ids', async () => {
    const [gone, kept] = [fleet.devices[3]!.id, fleet.devices[4]!.id];
    const unknown = '00000000-0000-4000-8000-000000000000';
    const store = createDetectionStateStore({ idleMs: 60_000 });
    const subjects = await store.load(pool, new Map([[gone, 2], [kept, 2], [unknown, 2]]));
    expect(subjects.has(unknown)).toBe(false);
    store.apply(new Map([[gone, at(10)], [kept, at(10)], [unknown, at(10)]]));
    await pool.query('DELETE FROM devices WHERE id = $1', [gone]);
    expect(await store.checkpoint(pool)).toBe(2);
    expect(await stored(kept)).toMatchObject({ lastTs: 10 });
    expect(await stored(gone)).toBeUndefined();
  });

  it('forgets the devices of partitions taken away, and reads them again if they come back', async () => {
    const id = fleet.devices[5]!.id;
    const store = createDetectionStateStore({ idleMs: 60_000 });
    await store.load(pool, new Map([[id, 3]]));
    store.apply(new Map([[id, at(1_000)]]));
    await store.checkpoint(pool);
    store.apply(new Map([[id, at(2_000)]]));
    store.retain([0, 1, 2]);
    expect(store.size()).toBe(0);
    // Meanwhile the new owner moved on; when the partition returns, its state is read from Postgres.
    await pool.query(`UPDATE device_detection_state SET state = $2 WHERE device_id = $1`, [id, JSON.stringify(at(3_000))]);
    const back = await store.load(pool, new Map([[id, 3]]));
    expect(back.get(id)?.state).toMatchObject({ lastTs: 3_000 });
    expect(await store.checkpoint(pool)).toBe(0);
  });

  it('picks up a device moved to another segment, and drops idle devices', async () => {
    const id = fleet.devices[0]!.id;
    let now = 1_000_000;
    const store = createDetectionStateStore({ idleMs: 60_000, now: () => now });
    await store.load(pool, new Map([[id, 0]]));
    const other = await database.db.segment.create({ data: { siteId: fleet.siteId, name: 'ot', cidr: '10.30.0.0/16', zone: 'IOT' } });
    await database.db.device.update({ where: { id }, data: { segmentId: other.id, criticality: 'CRITICAL' } });
    await store.refreshFacts(pool);
    expect((await store.load(pool, new Map([[id, 0]]))).get(id)?.facts).toMatchObject({ segmentId: other.id, critical: true });

    now += 61_000;
    await store.refreshFacts(pool);
    expect(store.size()).toBe(0);
  });
});

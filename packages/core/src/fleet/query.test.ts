import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDevicesSql } from '@warden/db';
import { createTestDatabase, testConfig, type TestDatabase } from '@warden/testing';
import { SYSTEM_ACTOR } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { importDevices } from './import.js';
import { createDeviceModel, createSegment, createSite } from './places.js';
import { deviceWhere, resolveFilter, searchDevices, type DeviceFilter } from './query.js';

let t: TestDatabase;
let deps: CoreDeps;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, sql: t.sql, config: testConfig() };
  const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'a', cidr: '10.1.0.0/16', zone: 'IOT' });
  await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'b', cidr: '10.2.0.0/16', zone: 'IOT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'L', name: 'Bulb', kind: 'LIGHT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'C', name: 'Cam', kind: 'CAMERA', otaCapable: false });
  const rows = Array.from({ length: 120 }, (_, i) => ({
    serial: `Q-${i}`,
    name: `dev ${i % 17}`,
    model: i % 4 ? 'L/Bulb' : 'C/Cam',
    segment: i % 2 ? 'hq/a' : 'hq/b',
    firmwareVersion: i % 5 ? `1.${i % 11}.0` : undefined,
    ip: `10.1.0.${i + 1}`,
    tags: i % 3 ? ['x'] : ['x', 'y'],
    owner: i === 5 ? 'Facilities' : undefined,
  }));
  await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify(rows) });
  await t.db.device.updateMany({ where: { serial: { in: ['Q-1', 'Q-2', 'Q-3'] } }, data: { lastSeenAt: new Date('2026-05-01T12:00:00Z') } });
});
afterAll(() => t.drop());

describe('device filters', () => {
  const filters: DeviceFilter[] = [
    {},
    { kinds: ['CAMERA'] },
    { firmwareBelow: '1.5.0' },
    { firmwareAtLeast: '1.10.0' },
    { tags: ['x', 'y'] },
    { anyTags: ['y', 'z'] },
    { neverSeen: false },
    { lastSeenAfter: new Date('2026-01-01T00:00:00Z') },
    { otaCapable: false },
    { search: 'facil' },
    { search: '10.1.0.7' },
    { search: '100%_' },
    { statuses: ['PROVISIONING'], criticalities: ['MEDIUM'] },
  ];
  it.each(filters)('%o: the SQL search and the Prisma filter agree', async (f) => {
    const prisma = await t.db.device.count({ where: deviceWhere(f) });
    expect(await countDevicesSql(t.sql, resolveFilter(f))).toBe(prisma);
  });

  it.each(['NAME', 'LAST_SEEN', 'FIRMWARE', 'CREATED', 'SERIAL'] as const)('pages by %s in both directions without gaps or repeats (nulls last)', async (field) => {
    for (const direction of ['ASC', 'DESC'] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 50; guard++) {
        const page: Awaited<ReturnType<typeof searchDevices>> = await searchDevices(deps, SYSTEM_ACTOR, { first: 7, after, orderBy: { field, direction } });
        seen.push(...page.nodes.map((d) => d.serial));
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      expect(new Set(seen).size).toBe(120);
      expect(seen).toHaveLength(120);
    }
  });

  it.each(['NAME', 'SERIAL', 'LAST_SEEN'] as const)('by %s, every device on a page is the row the database holds, with its own model and segment', async (field) => {
    // Mixed models and segments, and one device without a segment, on every page.
    await t.db.device.update({ where: { serial: 'Q-8' }, data: { segmentId: null } });
    try {
      const models = new Map((await t.db.deviceModel.findMany()).map((m) => [m.id, m]));
      const segments = new Map((await t.db.segment.findMany()).map((s) => [s.id, s]));
      for (const direction of ['ASC', 'DESC'] as const) {
        let after: string | null = null;
        let checked = 0;
        for (let guard = 0; guard < 50; guard++) {
          const page: Awaited<ReturnType<typeof searchDevices>> = await searchDevices(deps, SYSTEM_ACTOR, { first: 9, after, orderBy: { field, direction } });
          const stored = new Map((await t.db.device.findMany({ where: { id: { in: page.nodes.map((d) => d.id) } } })).map((d) => [d.id, d]));
          for (const { joinedModel, joinedSegment, ...device } of page.nodes) {
            expect(device).toEqual(stored.get(device.id));
            expect(joinedModel).toEqual(models.get(device.modelId));
            expect(joinedSegment).toEqual(device.segmentId ? segments.get(device.segmentId) : null);
            checked++;
          }
          if (!page.hasNextPage) break;
          after = page.endCursor;
        }
        expect(checked).toBe(120);
      }
    } finally {
      const b = await t.db.segment.findFirstOrThrow({ where: { name: 'b' } });
      await t.db.device.update({ where: { serial: 'Q-8' }, data: { segmentId: b.id } });
    }
  });

  it('refuses a cursor made for another sort order', async () => {
    const page = await searchDevices(deps, SYSTEM_ACTOR, { first: 2, orderBy: { field: 'NAME', direction: 'ASC' } });
    await expect(searchDevices(deps, SYSTEM_ACTOR, { first: 2, after: page.endCursor, orderBy: { field: 'SERIAL', direction: 'ASC' } })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});

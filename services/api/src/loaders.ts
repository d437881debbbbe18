import DataLoader from 'dataloader';
import type { Db, DeviceCredential, DeviceModel, Segment, Site, SqlPool } from '@warden/db';

function byId<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await load([...ids]);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function grouped<T>(load: (ids: string[]) => Promise<T[]>, key: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader(async (ids) => {
    const rows = await load([...ids]);
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const k = key(r);
      const list = map.get(k);
      if (list) list.push(r);
      else map.set(k, [r]);
    }
    return ids.map((id) => map.get(id) ?? []);
  });
}

function counts(load: (ids: string[]) => Promise<{ key: string | null; count: number }[]>): DataLoader<string, number> {
  return new DataLoader(async (ids) => {
    const rows = await load([...ids]);
    const map = new Map(rows.map((r) => [r.key, r.count]));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/**
 * Per-request batching: a page of 100 devices asks for its models and segments in one query each,
 * not one per device. Built fresh for every request, so nothing leaks between callers.
 */
export function createLoaders(db: Db, sql: SqlPool) {
  // Models, segments and sites are resolved for every device on a page: plain SQL keeps them cheap.
  const rows = async <T>(text: string, ids: string[]) => (await sql.query({ text, values: [ids] })).rows as T[];
  return {
    model: byId<DeviceModel>((ids) =>
      rows(
        `SELECT id::text AS id, vendor, name, kind::text AS kind, ota_capable AS "otaCapable", created_at AS "createdAt",
                updated_at AS "updatedAt" FROM device_models WHERE id = ANY($1::uuid[])`,
        ids,
      ),
    ),
    segment: byId<Segment>((ids) =>
      rows(
        `SELECT id::text AS id, site_id::text AS "siteId", name, cidr, zone::text AS zone, vlan, created_at AS "createdAt",
                updated_at AS "updatedAt" FROM segments WHERE id = ANY($1::uuid[])`,
        ids,
      ),
    ),
    site: byId<Site>((ids) =>
      rows(
        `SELECT id::text AS id, code, name, address, timezone, created_at AS "createdAt", updated_at AS "updatedAt"
         FROM sites WHERE id = ANY($1::uuid[])`,
        ids,
      ),
    ),
    segmentsBySite: grouped<Segment>(
      (ids) => db.segment.findMany({ where: { siteId: { in: ids } }, orderBy: { name: 'asc' } }),
      (s) => s.siteId,
    ),
    credentialsByDevice: grouped<DeviceCredential>(
      (ids) => db.deviceCredential.findMany({ where: { deviceId: { in: ids } }, orderBy: { createdAt: 'desc' } }),
      (c) => c.deviceId,
    ),
    deviceCountBySegment: counts(async (ids) =>
      (await db.device.groupBy({ by: ['segmentId'], where: { segmentId: { in: ids } }, _count: { _all: true } })).map((r) => ({
        key: r.segmentId,
        count: r._count._all,
      })),
    ),
    deviceCountByModel: counts(async (ids) =>
      (await db.device.groupBy({ by: ['modelId'], where: { modelId: { in: ids } }, _count: { _all: true } })).map((r) => ({
        key: r.modelId,
        count: r._count._all,
      })),
    ),
    deviceCountBySite: counts(async (ids) => {
      const segs = await db.segment.findMany({ where: { siteId: { in: ids } }, select: { id: true, siteId: true } });
      const per = await db.device.groupBy({ by: ['segmentId'], where: { segmentId: { in: segs.map((s) => s.id) } }, _count: { _all: true } });
      const siteOf = new Map(segs.map((s) => [s.id, s.siteId]));
      const totals = new Map<string, number>();
      for (const r of per) {
        const site = siteOf.get(r.segmentId!);
        if (site) totals.set(site, (totals.get(site) ?? 0) + r._count._all);
      }
      return [...totals].map(([key, count]) => ({ key, count }));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

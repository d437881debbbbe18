import { Prisma } from '../generated/client.js';

type Tx = { $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T> };

/** One complete device row for {@link upsertDevices} (the caller has merged it with what is stored). */
export interface DeviceUpsertRow {
  serial: string;
  controllerId: string;
  name: string;
  kind: string;
  modelId: string;
  firmwareVersion: string | null;
  firmwareKey: string | null;
  segmentId: string | null;
  ip: string | null;
  mac: string | null;
  tags: string[];
  location: string | null;
  criticality: string;
  owner: string | null;
  status: string;
  attributes: Record<string, unknown>;
}

export interface DeviceUpsertResult {
  id: string;
  serial: string;
  inserted: boolean;
}

/**
 * Inserts or updates devices by serial in ONE statement (UNNEST of column arrays). A row equal to
 * what is stored is not written (and not returned), so re-running an import changes nothing.
 */
export async function upsertDevices(tx: Tx, rows: DeviceUpsertRow[]): Promise<DeviceUpsertResult[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof DeviceUpsertRow>(k: K) => rows.map((r) => r[k]);
  // Ragged arrays do not fit a Postgres array-of-arrays: tags travel as one JSON array per row.
  const tags = rows.map((r) => JSON.stringify(r.tags));
  const attrs = rows.map((r) => JSON.stringify(r.attributes));
  return tx.$queryRaw<DeviceUpsertResult[]>(Prisma.sql`
    INSERT INTO devices AS d (id, serial, controller_id, name, kind, model_id, firmware_version, firmware_key,
                              segment_id, ip, mac, tags, location, criticality, owner, status, attributes,
                              created_at, updated_at)
    SELECT gen_random_uuid(), i.serial, i.controller_id, i.name, i.kind::"DeviceKind", i.model_id,
           i.firmware_version, i.firmware_key, i.segment_id, i.ip, i.mac,
           ARRAY(SELECT jsonb_array_elements_text(i.tags)), i.location, i.criticality::"Criticality",
           i.owner, i.status::"DeviceStatus", i.attributes, now(), now()
    FROM unnest(
      ${col('serial')}::text[], ${col('controllerId')}::text[], ${col('name')}::text[],
      ${col('kind')}::text[], ${col('modelId')}::uuid[], ${col('firmwareVersion')}::text[],
      ${col('firmwareKey')}::text[], ${col('segmentId')}::uuid[], ${col('ip')}::inet[],
      ${col('mac')}::text[], ${tags}::jsonb[], ${col('location')}::text[],
      ${col('criticality')}::text[], ${col('owner')}::text[], ${col('status')}::text[], ${attrs}::jsonb[]
    ) AS i(serial, controller_id, name, kind, model_id, firmware_version, firmware_key, segment_id, ip,
           mac, tags, location, criticality, owner, status, attributes)
    ON CONFLICT (serial) DO UPDATE SET
      controller_id = EXCLUDED.controller_id, name = EXCLUDED.name, kind = EXCLUDED.kind,
      model_id = EXCLUDED.model_id, firmware_version = EXCLUDED.firmware_version,
      firmware_key = EXCLUDED.firmware_key, segment_id = EXCLUDED.segment_id, ip = EXCLUDED.ip,
      mac = EXCLUDED.mac, tags = EXCLUDED.tags, location = EXCLUDED.location,
      criticality = EXCLUDED.criticality, owner = EXCLUDED.owner, status = EXCLUDED.status,
      attributes = EXCLUDED.attributes, updated_at = now()
    WHERE (d.controller_id, d.name, d.kind, d.model_id, d.firmware_version, d.segment_id, d.ip, d.mac,
           d.tags, d.location, d.criticality, d.owner, d.status, d.attributes)
      IS DISTINCT FROM
          (EXCLUDED.controller_id, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.model_id, EXCLUDED.firmware_version,
           EXCLUDED.segment_id, EXCLUDED.ip, EXCLUDED.mac, EXCLUDED.tags, EXCLUDED.location,
           EXCLUDED.criticality, EXCLUDED.owner, EXCLUDED.status, EXCLUDED.attributes)
    RETURNING d.id::text AS id, d.serial, (d.xmax = 0) AS inserted
  `);
}

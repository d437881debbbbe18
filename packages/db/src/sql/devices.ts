import type { SqlPool } from './pool.js';

/**
 * One device row for {@link upsertDevices} (the caller has merged it with what is stored), except
 * for the fields devices and rollouts change on their own: on an existing device, a null
 * `firmwareVersion` keeps the stored one and `attributes` are merged over the stored ones, in the
 * statement, so an update or attribute report that commits after the caller read the device stands.
 */
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
  failSafe: boolean;
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
export async function upsertDevices(pool: SqlPool, rows: DeviceUpsertRow[]): Promise<DeviceUpsertResult[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof DeviceUpsertRow>(k: K) => rows.map((r) => r[k]);
  // Ragged arrays do not fit a Postgres array-of-arrays: tags travel as one JSON array per row.
  const tags = rows.map((r) => JSON.stringify(r.tags));
  const attrs = rows.map((r) => JSON.stringify(r.attributes));
  const { rows: out } = await pool.query<DeviceUpsertResult>(
    `
    INSERT INTO devices AS d (id, serial, controller_id, name, kind, model_id, firmware_version, firmware_key,
                              segment_id, ip, mac, tags, location, criticality, owner, status, attributes,
                              fail_safe, created_at, updated_at)
    SELECT gen_random_uuid(), i.serial, i.controller_id, i.name, i.kind::"DeviceKind", i.model_id,
           i.firmware_version, i.firmware_key, i.segment_id, i.ip, i.mac,
           ARRAY(SELECT jsonb_array_elements_text(i.tags)), i.location, i.criticality::"Criticality",
           i.owner, i.status::"DeviceStatus", i.attributes, i.fail_safe, now(), now()
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[],
                $9::inet[], $10::text[], $11::jsonb[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::bool[]) AS i(serial, controller_id, name, kind, model_id, firmware_version, firmware_key, segment_id, ip,
           mac, tags, location, criticality, owner, status, attributes, fail_safe)
    ON CONFLICT (serial) DO UPDATE SET
      controller_id = EXCLUDED.controller_id, name = EXCLUDED.name, kind = EXCLUDED.kind,
      model_id = EXCLUDED.model_id, firmware_version = COALESCE(EXCLUDED.firmware_version, d.firmware_version),
      firmware_key = CASE WHEN EXCLUDED.firmware_version IS NULL THEN d.firmware_key ELSE EXCLUDED.firmware_key END,
      segment_id = EXCLUDED.segment_id, ip = EXCLUDED.ip,
      mac = EXCLUDED.mac, tags = EXCLUDED.tags, location = EXCLUDED.location,
      criticality = EXCLUDED.criticality, owner = EXCLUDED.owner,
      -- Read before this statement: a quarantine committed since then stands (only containment lifts it).
      status = CASE WHEN d.status = 'QUARANTINED' THEN d.status ELSE EXCLUDED.status END,
      attributes = d.attributes || EXCLUDED.attributes, fail_safe = EXCLUDED.fail_safe, updated_at = now()
    WHERE (d.controller_id, d.name, d.kind, d.model_id, d.firmware_version, d.segment_id, d.ip, d.mac,
           d.tags, d.location, d.criticality, d.owner, d.status, d.attributes, d.fail_safe)
      IS DISTINCT FROM
          (EXCLUDED.controller_id, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.model_id, COALESCE(EXCLUDED.firmware_version, d.firmware_version),
           EXCLUDED.segment_id, EXCLUDED.ip, EXCLUDED.mac, EXCLUDED.tags, EXCLUDED.location,
           EXCLUDED.criticality, EXCLUDED.owner, CASE WHEN d.status = 'QUARANTINED' THEN d.status ELSE EXCLUDED.status END,
           d.attributes || EXCLUDED.attributes, EXCLUDED.fail_safe)
    RETURNING d.id::text AS id, d.serial, (d.xmax = 0) AS inserted`,
    [
      col('serial'), col('controllerId'), col('name'), col('kind'), col('modelId'), col('firmwareVersion'),
      col('firmwareKey'), col('segmentId'), col('ip'), col('mac'), tags, col('location'),
      col('criticality'), col('owner'), col('status'), attrs, col('failSafe'),
    ],
  );
  return out;
}

/** The stored values of devices by serial, for merging an import with what is there. */
export async function devicesBySerial(pool: SqlPool, serials: string[]): Promise<(DeviceUpsertRow & { id: string })[]> {
  const { rows } = await pool.query(
    `SELECT id::text AS id, serial, controller_id AS "controllerId", name, kind::text AS kind, model_id::text AS "modelId",
            firmware_version AS "firmwareVersion", firmware_key AS "firmwareKey", segment_id::text AS "segmentId",
            host(ip) AS ip, mac, tags, location, criticality::text AS criticality, owner, status::text AS status, attributes,
            fail_safe AS "failSafe"
     FROM devices WHERE serial = ANY($1::text[])`,
    [serials],
  );
  return rows;
}

/** Which device (serial) holds each of these controller ids. */
export async function controllerOwners(pool: SqlPool, controllerIds: string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ controllerId: string; serial: string }>(
    'SELECT controller_id AS "controllerId", serial FROM devices WHERE controller_id = ANY($1::text[])',
    [controllerIds],
  );
  return new Map(rows.map((r) => [r.controllerId, r.serial]));
}

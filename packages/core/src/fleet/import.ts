import { createHash } from 'node:crypto';
import { controllerOwners, devicesBySerial, upsertDevices, type DeviceUpsertRow } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { deviceInputSchema, describeIssues, type ParsedDeviceInput } from './device-input.js';
import { firmwareKey } from './firmware-version.js';
import { ImportFormatError, parseCsv, parseJson, type RawRow } from './import-parse.js';
import { ReferenceIndex } from './references.js';

export type ImportFormat = 'CSV' | 'JSON';

export interface ImportRowError {
  /** CSV line number (header is line 1) or JSON item number (from 1). */
  line: number;
  serial: string | null;
  field: string;
  message: string;
}

export interface ImportResult {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: ImportRowError[];
}

/** Largest file one call accepts; bigger fleets import in several calls. */
export const MAX_IMPORT_ROWS = 50_000;
/** Rows per UNNEST statement: big enough to be fast, small enough to keep one statement's memory modest. */
const CHUNK = 5_000;

type Stored = DeviceUpsertRow;

/**
 * Registers or updates many devices from a CSV or JSON file in one call. Every row is validated on
 * its own: a bad row is reported with its line and reason and the good rows still land. Devices
 * are matched by serial; a value absent from a row keeps what is stored, so re-running the same
 * file changes nothing.
 */
export async function importDevices(
  deps: CoreDeps,
  actor: Actor,
  input: { format: ImportFormat; data: string },
): Promise<ImportResult> {
  requireRole(actor, 'OPERATOR');
  let raw: RawRow[];
  try {
    raw = input.format === 'CSV' ? parseCsv(input.data) : parseJson(input.data);
  } catch (err) {
    if (err instanceof ImportFormatError) throw new ValidationError(err.message, 'data');
    throw err;
  }
  if (raw.length > MAX_IMPORT_ROWS) {
    throw new ValidationError(`at most ${MAX_IMPORT_ROWS} rows per import; this file has ${raw.length}`, 'data');
  }

  const errors: ImportRowError[] = [];
  const refs = await ReferenceIndex.load(deps.db);
  const valid: { line: number; row: ParsedDeviceInput; modelId: string; kind: string; segmentId: string | null }[] = [];
  const seenSerial = new Map<string, number>();
  const seenController = new Map<string, number>();

  for (const { line, values } of raw) {
    const serialGuess = typeof values.serial === 'string' ? values.serial.trim() || null : null;
    const parsed = deviceInputSchema.safeParse(values);
    if (!parsed.success) {
      const [first] = describeIssues(parsed.error);
      errors.push({ line, serial: serialGuess, ...first! });
      continue;
    }
    const row = parsed.data;
    const model = refs.model(row.model);
    if (!model) {
      errors.push({ line, serial: row.serial, field: 'model', message: `unknown device model "${row.model}" (use vendor/model)` });
      continue;
    }
    let segmentId: string | null = null;
    if (row.segment) {
      segmentId = refs.segment(row.segment) ?? null;
      if (!segmentId) {
        errors.push({ line, serial: row.serial, field: 'segment', message: `unknown segment "${row.segment}" (use site-code/segment-name)` });
        continue;
      }
    }
    const controllerId = row.controllerId ?? row.serial;
    const dupSerial = seenSerial.get(row.serial.toLowerCase());
    if (dupSerial !== undefined) {
      errors.push({ line, serial: row.serial, field: 'serial', message: `duplicate of line ${dupSerial}` });
      continue;
    }
    const dupController = seenController.get(controllerId);
    if (dupController !== undefined) {
      errors.push({ line, serial: row.serial, field: 'controllerId', message: `controller id also used on line ${dupController}` });
      continue;
    }
    seenSerial.set(row.serial.toLowerCase(), line);
    seenController.set(controllerId, line);
    valid.push({ line, row, modelId: model.id, kind: row.kind ?? model.kind, segmentId });
  }

  let created = 0;
  let updated = 0;
  let written = 0;
  for (let i = 0; i < valid.length; i += CHUNK) {
    const chunk = valid.slice(i, i + CHUNK);
    const [existing, controllerOwner] = await Promise.all([
      devicesBySerial(deps.sql, chunk.map((c) => c.row.serial)),
      controllerOwners(deps.sql, chunk.map((c) => c.row.controllerId ?? c.row.serial)),
    ]);
    const bySerial = new Map<string, Stored>(existing.map((d) => [d.serial, d]));

    const rows: DeviceUpsertRow[] = [];
    for (const c of chunk) {
      const controllerId = c.row.controllerId ?? c.row.serial;
      const owner = controllerOwner.get(controllerId);
      if (owner && owner !== c.row.serial) {
        errors.push({ line: c.line, serial: c.row.serial, field: 'controllerId', message: `controller id "${controllerId}" belongs to device ${owner}` });
        continue;
      }
      const cur = bySerial.get(c.row.serial);
      if (cur?.status === 'RETIRED') {
        errors.push({ line: c.line, serial: c.row.serial, field: 'serial', message: 'device is retired; retired devices are not re-imported' });
        continue;
      }
      rows.push(merge(c.row, cur, { controllerId, modelId: c.modelId, kind: c.kind, segmentId: c.segmentId }));
    }
    const results = await upsertDevices(deps.sql, rows);
    written += rows.length;
    for (const r of results) {
      if (r.inserted) created++;
      else updated++;
    }
  }

  errors.sort((a, b) => a.line - b.line);
  const result: ImportResult = {
    total: raw.length,
    created,
    updated,
    unchanged: written - created - updated,
    failed: errors.length,
    errors,
  };
  await audit(deps.db, actor, {
    action: 'devices.import',
    targetType: 'Device',
    summary: {
      format: input.format,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      total: result.total,
      created,
      updated: result.updated,
      unchanged: result.unchanged,
      failed: result.failed,
    },
  });
  return result;
}

function merge(
  row: ParsedDeviceInput,
  cur: Stored | undefined,
  resolved: { controllerId: string; modelId: string; kind: string; segmentId: string | null },
): DeviceUpsertRow {
  // Left to the statement: the stored version when the row names none, the row's attributes over
  // the stored ones (both read again there, so a concurrent update or attribute report stands).
  const firmwareVersion = row.firmwareVersion ?? null;
  return {
    serial: row.serial,
    controllerId: resolved.controllerId,
    name: row.name ?? cur?.name ?? row.serial,
    kind: resolved.kind,
    modelId: resolved.modelId,
    firmwareVersion,
    firmwareKey: firmwareVersion ? firmwareKey(firmwareVersion) : null,
    segmentId: resolved.segmentId ?? cur?.segmentId ?? null,
    ip: row.ip ?? cur?.ip ?? null,
    mac: row.mac ?? cur?.mac ?? null,
    tags: row.tags ? [...new Set(row.tags)].sort() : (cur?.tags ?? []),
    location: row.location ?? cur?.location ?? null,
    criticality: row.criticality ?? cur?.criticality ?? 'MEDIUM',
    owner: row.owner ?? cur?.owner ?? null,
    // A quarantined device leaves quarantine only through containment, never by an import.
    status: cur?.status === 'QUARANTINED' ? 'QUARANTINED' : (row.status ?? cur?.status ?? 'PROVISIONING'),
    failSafe: row.failSafe ?? cur?.failSafe ?? false,
    attributes: row.attributes ?? {},
  };
}

import type { TelemetryRecord } from '@warden/contracts';
import type { AlertV1 } from '@warden/contracts/incidents';
import {
  detectTelemetry,
  toDetectionEvent,
  type AlertDraft,
  type ArtifactHashCache,
  type CompiledDetection,
  type CorrelationConfig,
  type DetectionEvent,
  type DeviceDetectionState,
  type DeviceFacts,
} from '@warden/core';
import { arrayLiteral, jsonArrayDocument, releaseArtifactHashes, type SqlClient } from '@warden/db';
import { storeAlerts, type DetectionNotice } from './store-alerts.js';

export type { DetectionNotice } from './store-alerts.js';

export interface DetectBatchDeps {
  detection: CompiledDetection;
  correlation: CorrelationConfig;
  /** The firmware catalogue's artifact digests per (model, version), shared by the processor's batches. */
  artifactHashes: ArtifactHashCache;
  /** Publishes new alerts to `warden.alerts.v1`; called before the commit (at least once). */
  publishAlerts(alerts: AlertV1[]): Promise<void>;
  now?: () => number;
}

interface FactsRow {
  id: string;
  kind: string;
  model_id: string;
  segment_id: string | null;
  criticality: string;
  state: Partial<DeviceDetectionState>;
}

/**
 * Detection for one stream batch, inside its transaction: per-device state is locked (rows in
 * device id order, so two batches of one partition in flight run one after the other), the pure
 * engine runs on each message in device order, states are written back, new alerts are stored
 * once (`ON CONFLICT (dedup_key) DO NOTHING`), published, and correlated into incidents with
 * their timeline. A batch with no alerts costs two set-based statements (two more when it brings
 * a device's first messages), plus one for the firmware versions reported with a hash that the
 * artifact cache does not know (or knew too long ago).
 */
export async function detectBatch(tx: SqlClient, records: TelemetryRecord[], deps: DetectBatchDeps): Promise<DetectionNotice> {
  const notice: DetectionNotice = { alerts: [], incidents: [] };
  const byDevice = new Map<string, DetectionEvent[]>();
  for (const r of records) {
    const e = toDetectionEvent(r);
    if (!e) continue;
    let list = byDevice.get(e.deviceId);
    if (!list) byDevice.set(e.deviceId, (list = []));
    list.push(e);
  }
  if (!byDevice.size) return notice;
  const ids = [...byDevice.keys()].sort();
  const rows = await lockStates(tx, ids);
  if (rows.length < ids.length) {
    // First messages of a device: create its (empty) state, then lock it too. Devices that are not
    // registered get no state and are skipped, as their points are.
    const have = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !have.has(id));
    await tx.query(
      `INSERT INTO device_detection_state (device_id, state)
       SELECT d.id, '{}'::jsonb FROM devices d WHERE d.id = ANY($1::uuid[]) ORDER BY d.id
       ON CONFLICT (device_id) DO NOTHING`,
      [arrayLiteral(missing)],
    );
    rows.push(...(await lockStates(tx, missing)));
  }
  const facts = new Map<string, FactsRow>(rows.map((r) => [r.id, r]));
  await refreshArtifactHashes(tx, rows, byDevice, deps);
  const drafts: AlertDraft[] = [];
  const changedIds: string[] = [];
  const changedStates: DeviceDetectionState[] = [];
  for (const row of rows) {
    const device: DeviceFacts = { id: row.id, kind: row.kind, modelId: row.model_id, segmentId: row.segment_id };
    const events = byDevice.get(row.id)!.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    let state: DeviceDetectionState | undefined = row.state?.v === 1 ? (row.state as DeviceDetectionState) : undefined;
    const before = state;
    for (const event of events) {
      const r = detectTelemetry(state, event, { device, detection: deps.detection, artifactHashes: deps.artifactHashes.lookup });
      state = r.state;
      drafts.push(...r.alerts);
    }
    if (state && state !== before) {
      changedIds.push(row.id);
      changedStates.push(state);
    }
  }
  if (changedIds.length) {
    await tx.query(
      `UPDATE device_detection_state s SET state = u.state, updated_at = now()
         FROM ROWS FROM (unnest($1::uuid[]), jsonb_array_elements($2::jsonb)) AS u(device_id, state)
        WHERE s.device_id = u.device_id`,
      [arrayLiteral(changedIds), jsonArrayDocument(changedStates)],
    );
  }
  const isCritical = (id: string) => ['HIGH', 'CRITICAL'].includes(facts.get(id)?.criticality ?? '');
  return storeAlerts(tx, drafts, { correlation: deps.correlation, publishAlerts: deps.publishAlerts, isCritical });
}

/** Locks the detection state of `ids` (in device order, so concurrent batches queue rather than deadlock), with the device facts. */
async function lockStates(tx: SqlClient, ids: string[]): Promise<FactsRow[]> {
  const { rows } = await tx.query<FactsRow>(
    `SELECT d.id, d.kind::text AS kind, d.model_id, d.segment_id, d.criticality::text AS criticality, s.state
       FROM device_detection_state s JOIN devices d ON d.id = s.device_id
      WHERE s.device_id = ANY($1::uuid[])
      ORDER BY s.device_id
        FOR UPDATE OF s`,
    [arrayLiteral(ids)],
  );
  return rows;
}

/** Fetches, in one statement, the artifact digests of the (model, version) pairs the batch reports with a hash and the cache lacks. */
async function refreshArtifactHashes(tx: SqlClient, rows: FactsRow[], byDevice: Map<string, DetectionEvent[]>, deps: DetectBatchDeps) {
  if (!deps.detection.config.firmwareHash.enabled) return;
  const reported = rows.flatMap((row) =>
    byDevice.get(row.id)!.flatMap((e) => (e.firmware?.hash ? [{ modelId: row.model_id, version: e.firmware.version }] : [])),
  );
  if (!reported.length) return;
  const now = deps.now?.() ?? Date.now();
  const stale = deps.artifactHashes.stale(reported, now);
  if (stale.length) deps.artifactHashes.fill(stale, await releaseArtifactHashes(tx, stale), now);
}

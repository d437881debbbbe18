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
import { inTransaction, releaseArtifactHashes, type SqlPool } from '@warden/db';
import type { DetectionStateStore, DetectionSubject } from './detection-state.js';
import { storeAlerts, type DetectionNotice } from './store-alerts.js';

export type { DetectionNotice } from './store-alerts.js';

export interface DetectBatchDeps {
  /** Postgres, for devices not held yet, unknown artifact digests and the transaction that stores alerts. */
  pool: SqlPool;
  /** The devices' detection state, held in memory between checkpoints (see detection-state.ts). */
  states: DetectionStateStore;
  detection: CompiledDetection;
  correlation: CorrelationConfig;
  /** The firmware catalogue's artifact digests per (model, version), shared by the processor's batches. */
  artifactHashes: ArtifactHashCache;
  /** Publishes new alerts to `warden.alerts.v1`; called before the commit (at least once). */
  publishAlerts(alerts: AlertV1[]): Promise<void>;
  now?: () => number;
}

/** One partition's records of a batch: a device's messages all come through one partition. */
export interface PartitionRecords {
  partition: number;
  records: TelemetryRecord[];
}

/**
 * Detection for a group of partition batches. The pure engine runs on each device's messages in
 * order against the state held in memory; new alerts are stored once (`ON CONFLICT (dedup_key)
 * DO NOTHING`), published and correlated into incidents with their timeline, in one transaction;
 * only then are the new states applied (so a failed batch, read again, starts from the states it
 * started from). A batch that raises nothing and brings no new device makes no round trip to
 * Postgres at all; the states reach it at the next checkpoint.
 */
export async function detectBatch(parts: PartitionRecords[], deps: DetectBatchDeps): Promise<DetectionNotice> {
  const notice: DetectionNotice = { alerts: [], incidents: [] };
  const byDevice = new Map<string, DetectionEvent[]>();
  const partitionOf = new Map<string, number>();
  for (const { partition, records } of parts) {
    for (const r of records) {
      const e = toDetectionEvent(r);
      if (!e) continue;
      let list = byDevice.get(e.deviceId);
      if (!list) {
        byDevice.set(e.deviceId, (list = []));
        partitionOf.set(e.deviceId, partition);
      }
      list.push(e);
    }
  }
  if (!byDevice.size) return notice;
  const subjects = await deps.states.load(deps.pool, partitionOf);
  await refreshArtifactHashes(subjects, byDevice, deps);
  const drafts: AlertDraft[] = [];
  const changed = new Map<string, DeviceDetectionState>();
  for (const [id, subject] of subjects) {
    const device: DeviceFacts = subject.facts;
    const events = byDevice.get(id)!.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    let state = subject.state;
    for (const event of events) {
      const r = detectTelemetry(state, event, { device, detection: deps.detection, artifactHashes: deps.artifactHashes.lookup });
      state = r.state;
      drafts.push(...r.alerts);
    }
    if (state && state !== subject.state) changed.set(id, state);
  }
  const result = drafts.length
    ? await inTransaction(deps.pool, (tx) =>
        storeAlerts(tx, drafts, {
          correlation: deps.correlation,
          publishAlerts: deps.publishAlerts,
          isCritical: (id) => subjects.get(id)?.facts.critical ?? false,
        }),
      )
    : notice;
  deps.states.apply(changed);
  return result;
}

/** Fetches, in one statement, the artifact digests of the (model, version) pairs the batch reports with a hash and the cache lacks. */
async function refreshArtifactHashes(subjects: Map<string, DetectionSubject>, byDevice: Map<string, DetectionEvent[]>, deps: DetectBatchDeps) {
  if (!deps.detection.config.firmwareHash.enabled) return;
  const reported = [...subjects].flatMap(([id, s]) =>
    byDevice.get(id)!.flatMap((e) => (e.firmware?.hash ? [{ modelId: s.facts.modelId, version: e.firmware.version }] : [])),
  );
  if (!reported.length) return;
  const now = deps.now?.() ?? Date.now();
  const stale = deps.artifactHashes.stale(reported, now);
  if (stale.length) deps.artifactHashes.fill(stale, await releaseArtifactHashes(deps.pool, stale), now);
}

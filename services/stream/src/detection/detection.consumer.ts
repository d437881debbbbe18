import type { AlertV1 } from '@warden/contracts/incidents';
import type { ArtifactHashCache, CompiledDetection, CorrelationConfig } from '@warden/core';
import type { SqlPool } from '@warden/db';
import { Counter, Gauge } from '@warden/runtime';
import { createPartitionConsumer, type GroupSettings, type PartitionConsumer } from '../partition-consumer.js';
import { detectBatch, type DetectionNotice } from './detect-batch.js';
import { createDetectionStateStore } from './detection-state.js';

export interface DetectionConsumerDeps extends GroupSettings {
  pool: SqlPool;
  /** How often changed detection states are written to Postgres (and the offsets they cover committed). */
  checkpointMs: number;
  /** How often the registry facts of the devices held (segment, kind, criticality) are read again. */
  factsRefreshMs: number;
  /** Devices not heard from for this long are dropped from memory (default 10 min). */
  idleMs?: number;
  source: { get(): Promise<CompiledDetection> };
  correlation: CorrelationConfig;
  artifactHashes: ArtifactHashCache;
  /** Publishes new alerts to `warden.alerts.v1`; called before the commit (at least once). */
  publishAlerts(alerts: AlertV1[]): Promise<void>;
  /** Called after the commit with what the batch raised (live subscribers, playbooks); must not throw. */
  notify(notice: DetectionNotice): void;
}

/**
 * The detection group on warden.telemetry.v1. Storage and detection read the topic separately: a
 * storage backlog (points are most of the write load) does not delay an alert, and each scales on
 * its own. Detection keeps each device's rule state in memory while it reads the device's
 * partition (detection-state.ts): a batch runs the rules and, only when it raises something,
 * stores, publishes and correlates the new alerts in one transaction (detect-batch.ts). Every
 * `checkpointMs` the changed states are written in one statement and the offsets they cover are
 * committed after it. A replay is a no-op: each device's state keeps the last message it applied,
 * and alerts are stored once by their dedup key.
 */
export function createDetectionConsumer(deps: DetectionConsumerDeps): PartitionConsumer {
  const examined = new Counter({ name: 'warden_stream_detection_records_total', help: 'Telemetry messages run through detection', registers: [deps.metrics] });
  const raised = new Counter({ name: 'warden_stream_alerts_raised_total', help: 'New alerts raised by detection', registers: [deps.metrics] });
  const checkpointed = new Counter({ name: 'warden_stream_detection_checkpointed_states_total', help: 'Device detection states written by checkpoints', registers: [deps.metrics] });
  const states = createDetectionStateStore({ idleMs: deps.idleMs ?? 10 * 60_000 });
  new Gauge({ name: 'warden_stream_detection_held_devices', help: 'Devices whose detection state this instance holds in memory', registers: [deps.metrics], collect() { this.set(states.size()); } });

  let refreshing: NodeJS.Timeout | undefined;
  const refreshFacts = () => {
    refreshing = setTimeout(() => {
      states
        .refreshFacts(deps.pool)
        .catch((err: unknown) => deps.log.warn({ err }, 'detection could not re-read device facts; keeping the previous ones'))
        .finally(() => refreshing && refreshFacts());
    }, deps.factsRefreshMs);
    refreshing.unref();
  };

  const consumer: PartitionConsumer = createPartitionConsumer({
    ...deps,
    role: 'detection',
    // Records that are not telemetry.v1 are only counted here: the storage group sends them to the DLQ.
    meters: {
      latency: { name: 'warden_stream_ingest_to_detected_seconds', help: 'From gateway receipt to detection done (alerts stored and published)' },
      failedWrites: { name: 'warden_stream_detection_failures_total', help: 'Detection batches that failed (their partitions are read again)' },
      unreadable: { name: 'warden_stream_detection_unreadable_total', help: 'Records detection skipped as not telemetry.v1' },
    },
    onAssigned: (partitions) => states.retain(partitions),
    checkpoint: {
      intervalMs: deps.checkpointMs,
      run: async () => void checkpointed.inc(await states.checkpoint(deps.pool)),
    },
    async write(_records, parts) {
      // Batches fetched before a rebalance took their partition away are not detected here (nor
      // their offsets committed): the new owner reads them with the state checkpointed for it.
      const owned = new Set(consumer.assignedPartitions());
      const mine = parts.filter((p) => owned.has(p.partition));
      const detection = await deps.source.get();
      const notice = await detectBatch(mine, {
        pool: deps.pool,
        states,
        detection,
        correlation: deps.correlation,
        artifactHashes: deps.artifactHashes,
        publishAlerts: deps.publishAlerts,
      });
      examined.inc(mine.reduce((n, p) => n + p.records.length, 0));
      if (notice.alerts.length) {
        raised.inc(notice.alerts.length);
        deps.notify(notice);
      }
    },
  });
  return {
    ...consumer,
    async start() {
      await consumer.start();
      refreshFacts();
    },
    async stop() {
      clearTimeout(refreshing);
      refreshing = undefined;
      await consumer.stop();
    },
  };
}

import type { AlertV1 } from '@warden/contracts/incidents';
import type { ArtifactHashCache, CompiledDetection, CorrelationConfig } from '@warden/core';
import { inTransaction, type SqlPool } from '@warden/db';
import { Counter, Histogram, type Kafka, type Logger, type Registry } from '@warden/runtime';
import { createPartitionConsumer, INGEST_LATENCY_BUCKETS, type PartitionConsumer } from '../partition-consumer.js';
import { detectBatch, type DetectionNotice } from './detect-batch.js';

export interface DetectionConsumerDeps {
  kafka: Kafka;
  pool: SqlPool;
  log: Logger;
  metrics: Registry;
  /** Its own group: detection keeps its own offsets and never waits for storage. */
  groupId: string;
  concurrency: number;
  writers: number;
  batchMaxRecords: number;
  sessionTimeoutMs: number;
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
 * its own. Per group of batches, one transaction locks the devices' detection state, runs the
 * rules, writes the state back and stores, publishes and correlates the new alerts (see
 * detect-batch.ts); offsets are committed after it. A replay is a no-op: each device's state keeps
 * the last message it applied, and alerts are stored once by their dedup key. Records that are not
 * telemetry.v1 are counted here and sent to the DLQ by the storage group.
 */
export function createDetectionConsumer(deps: DetectionConsumerDeps): PartitionConsumer {
  const examined = new Counter({ name: 'warden_stream_detection_records_total', help: 'Telemetry messages run through detection', registers: [deps.metrics] });
  const raised = new Counter({ name: 'warden_stream_alerts_raised_total', help: 'New alerts raised by detection', registers: [deps.metrics] });
  const unreadable = new Counter({ name: 'warden_stream_detection_unreadable_total', help: 'Records detection skipped as not telemetry.v1', registers: [deps.metrics] });
  const failedWrites = new Counter({ name: 'warden_stream_detection_failures_total', help: 'Detection transactions that failed (their partitions are read again)', registers: [deps.metrics] });
  const latency = new Histogram({
    name: 'warden_stream_ingest_to_detected_seconds',
    help: 'From gateway receipt to detection committed (alerts published)',
    buckets: INGEST_LATENCY_BUCKETS,
    registers: [deps.metrics],
  });

  return createPartitionConsumer({
    kafka: deps.kafka,
    log: deps.log,
    role: 'detection',
    groupId: deps.groupId,
    concurrency: deps.concurrency,
    writers: deps.writers,
    batchMaxRecords: deps.batchMaxRecords,
    sessionTimeoutMs: deps.sessionTimeoutMs,
    failedWrites,
    unreadable: async (bad) => void unreadable.inc(bad.length),
    async write(records) {
      const detection = await deps.source.get();
      const notice = await inTransaction(deps.pool, (tx) =>
        detectBatch(tx, records, { detection, correlation: deps.correlation, artifactHashes: deps.artifactHashes, publishAlerts: deps.publishAlerts }),
      );
      const now = Date.now();
      examined.inc(records.length);
      for (const r of records) latency.observe((now - Date.parse(r.receivedAt)) / 1000);
      if (notice.alerts.length) {
        raised.inc(notice.alerts.length);
        deps.notify(notice);
      }
    },
  });
}

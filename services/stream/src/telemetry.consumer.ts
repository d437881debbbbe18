import { SCHEMA_HEADER, TOPICS, type TelemetryDlqRecord, type TelemetryRecord } from '@warden/contracts';
import { processTelemetryBatch, readTelemetryRecord, type DeviceEventPublisher } from '@warden/core';
import type { SqlClient, SqlPool } from '@warden/db';
import { createBatchWriter } from './batch-writer.js';
import { detectBatch, type DetectionNotice } from './detection/detect-batch.js';
import type { CompiledDetection, CorrelationConfig } from '@warden/core';
import type { AlertV1 } from '@warden/contracts/incidents';
import { Counter, Histogram, type Consumer, type Kafka, type Logger, type Producer, type Registry } from '@warden/runtime';

export interface TelemetryConsumerDeps {
  kafka: Kafka;
  producer: Producer;
  pool: SqlPool;
  events: DeviceEventPublisher;
  log: Logger;
  metrics: Registry;
  groupId: string;
  /** Partitions handled at once by this instance. */
  concurrency: number;
  /** Postgres transactions at once. */
  writers: number;
  sessionTimeoutMs: number;
  /** Detection on every batch, in its transaction (see detection/detect-batch.ts). */
  detection?: {
    source: { get(): Promise<CompiledDetection> };
    correlation: CorrelationConfig;
    publishAlerts(alerts: AlertV1[]): Promise<void>;
    /** Called after the commit with what the batch raised (live subscribers); must not throw. */
    notify(notice: DetectionNotice): void;
  };
  /** Called after a batch is committed to Postgres (benchmarks and tests observe latency with it). */
  onStored?: (records: TelemetryRecord[], storedAt: number) => void;
}

export interface TelemetryConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Partitions of warden.telemetry.v1 currently assigned to this instance. */
  assignedPartitions(): number[];
}

/**
 * The telemetry consumer group: per batch (one partition's fetched messages) it stores points,
 * contacts and state in one transaction, then commits the offset. A crash between the two replays
 * the batch, which the (device, ts, seq) key turns into a no-op. More instances with the same
 * group id split the partitions between them.
 */
export function createTelemetryConsumer(deps: TelemetryConsumerDeps): TelemetryConsumer {
  const log = deps.log.child({ component: 'telemetry-consumer' });
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(deps.sessionTimeoutMs / 3)),
    maxWaitTimeInMs: 200,
    maxBytesPerPartition: 2 * 1024 * 1024,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = [...(e.payload.memberAssignment[TOPICS.telemetry] ?? [])].sort((a, b) => a - b);
    log.info({ partitions: assigned }, 'joined the telemetry consumer group');
  });

  const stored = new Counter({ name: 'warden_stream_telemetry_stored_total', help: 'Telemetry messages stored', registers: [deps.metrics] });
  const duplicates = new Counter({ name: 'warden_stream_telemetry_duplicates_total', help: 'Telemetry messages already stored (replays)', registers: [deps.metrics] });
  const unreadable = new Counter({ name: 'warden_stream_telemetry_unreadable_total', help: 'Records that were not telemetry.v1 (sent to the DLQ)', registers: [deps.metrics] });
  const latency = new Histogram({
    name: 'warden_stream_ingest_to_stored_seconds',
    help: 'From gateway receipt to committed in Postgres',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
    registers: [deps.metrics],
  });

  const writer = createBatchWriter(
    async (records) => {
      const detection = deps.detection;
      const notices: DetectionNotice[] = [];
      let detect: ((tx: SqlClient, batch: TelemetryRecord[]) => Promise<void>) | undefined;
      if (detection) {
        const compiled = await detection.source.get();
        detect = async (tx, batch) => {
          notices.push(await detectBatch(tx, batch, { detection: compiled, correlation: detection.correlation, publishAlerts: detection.publishAlerts }));
        };
      }
      const outcome = await processTelemetryBatch({ pool: deps.pool, events: deps.events, ...(detect ? { detect } : {}) }, records);
      for (const n of notices) if (n.alerts.length) detection!.notify(n);
      const now = Date.now();
      stored.inc(outcome.stored);
      duplicates.inc(outcome.duplicates);
      for (const r of records) latency.observe((now - Date.parse(r.receivedAt)) / 1000);
      deps.onStored?.(records, now);
      return outcome;
    },
    // Partition handlers of one fetch submit within a millisecond or two, and kafkajs fetches again
    // only once all of them are done: a short linger gathers them without idling. (Reading ahead
    // while Postgres writes was tried: within noise here, and harder to keep exactly-once.)
    { maxRecords: 5000, lingerMs: 3, concurrency: deps.writers },
  );

  return {
    assignedPartitions: () => assigned,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.telemetry, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: deps.concurrency,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (!batch.messages.length || !isRunning() || isStale()) return;
          const records: TelemetryRecord[] = [];
          const bad: TelemetryDlqRecord[] = [];
          const receivedAt = new Date().toISOString();
          for (const m of batch.messages) {
            const r = readTelemetryRecord(m.value);
            if (r) records.push(r);
            else {
              bad.push({
                reason: 'INVALID',
                message: `record at ${batch.topic}/${batch.partition}@${m.offset} is not telemetry.v1`,
                via: 'stream',
                receivedAt,
                payload: (m.value?.toString('utf8') ?? '').slice(0, 8192),
              });
            }
          }
          if (bad.length) {
            unreadable.inc(bad.length);
            await deps.producer.send({
              topic: TOPICS.telemetryDlq,
              acks: -1,
              messages: bad.map((b) => ({ key: null, value: JSON.stringify(b), headers: { [SCHEMA_HEADER]: 'telemetry.dlq.v1' } })),
            });
          }
          // A failed write throws here: kafkajs retries the batch from its unresolved offset.
          await writer.write(records);
          // Only after the writes: a crash before this line replays the batch, harmlessly.
          resolveOffset(batch.lastOffset());
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
          await heartbeat();
        },
      });
    },
    stop: () => consumer.disconnect(),
  };
}

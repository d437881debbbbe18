import { SCHEMA_HEADER, TOPICS, type TelemetryDlqRecord, type TelemetryRecord } from '@warden/contracts';
import { parseStreamRecord, processTelemetryBatch, type DeviceEventPublisher } from '@warden/core';
import type { SqlClient, SqlPool } from '@warden/db';
import { createBatchWriter } from './batch-writer.js';
import { detectBatch, type DetectionNotice } from './detection/detect-batch.js';
import type { ArtifactHashCache, CompiledDetection, CorrelationConfig } from '@warden/core';
import type { AlertV1 } from '@warden/contracts/incidents';
import { Counter, Histogram, keepConsuming, type Consumer, type ConsumerRunConfig, type Kafka, type Logger, type Producer, type Registry } from '@warden/runtime';

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
  /** Most records per transaction (see batch-writer.ts). */
  batchMaxRecords: number;
  sessionTimeoutMs: number;
  /** Detection on every batch, in its transaction (see detection/detect-batch.ts). */
  detection?: {
    source: { get(): Promise<CompiledDetection> };
    correlation: CorrelationConfig;
    artifactHashes: ArtifactHashCache;
    publishAlerts(alerts: AlertV1[]): Promise<void>;
    /** Called after the commit with what the batch raised (live subscribers); must not throw. */
    notify(notice: DetectionNotice): void;
  };
  /** Called after a batch is committed to Postgres (benchmarks and tests observe latency with it). */
  onStored?: (records: TelemetryRecord[], storedAt: number) => void;
}

export interface TelemetryConsumer {
  start(): Promise<void>;
  /** Stops fetching, writes and commits what was read, then leaves the group. */
  stop(): Promise<void>;
  /** Partitions of warden.telemetry.v1 currently assigned to this instance. */
  assignedPartitions(): number[];
  /** Why the consumer is out of its group (crashed, rejoining), or null while it is in it. */
  outOfGroup(): string | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The telemetry consumer group. Each fetched partition batch is parsed and handed to the batch
 * writer, which stores points, contacts, state and detection in one transaction per group of
 * batches; the partition's offset is committed once that transaction has committed. Handing over
 * does not wait for the write: Kafka's next fetch is read and parsed while Postgres writes (the
 * fetch position moves on, the committed offset only after the data is stored). A crash in
 * between replays from the committed offset, which the (device, ts, seq) key turns into a
 * no-op; a failed write reads its partition again from the failed batch. More instances with the
 * same group id split the partitions between them.
 */
export function createTelemetryConsumer(deps: TelemetryConsumerDeps): TelemetryConsumer {
  const log = deps.log.child({ component: 'telemetry-consumer' });
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(deps.sessionTimeoutMs / 3)),
    maxWaitTimeInMs: 200,
    // What one fetch may bring (compressed): a few thousand records per partition. Batches form in
    // the writer, so larger fetches would only overshoot its memory bound (see maxPending).
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 6 * 1024 * 1024,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  let assigned: number[] = [];
  let outOfGroup: string | null = null;
  consumer.on(consumer.events.CRASH, (e) => {
    assigned = [];
    outOfGroup = `the telemetry consumer crashed (${e.payload.error.message.slice(0, 200)}) and is rejoining its group`;
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    outOfGroup = null;
    assigned = [...(e.payload.memberAssignment[TOPICS.telemetry] ?? [])].sort((a, b) => a - b);
    log.info({ partitions: assigned }, 'joined the telemetry consumer group');
  });

  const stored = new Counter({ name: 'warden_stream_telemetry_stored_total', help: 'Telemetry messages stored', registers: [deps.metrics] });
  const duplicates = new Counter({ name: 'warden_stream_telemetry_duplicates_total', help: 'Telemetry messages already stored (replays)', registers: [deps.metrics] });
  const unreadable = new Counter({ name: 'warden_stream_telemetry_unreadable_total', help: 'Records that were not telemetry.v1 (sent to the DLQ)', registers: [deps.metrics] });
  const failedWrites = new Counter({ name: 'warden_stream_write_failures_total', help: 'Transactions that failed (their partitions are read again)', registers: [deps.metrics] });
  const latency = new Histogram({
    name: 'warden_stream_ingest_to_stored_seconds',
    help: 'From gateway receipt to committed in Postgres',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
    registers: [deps.metrics],
  });
  const batchSize = new Histogram({
    name: 'warden_stream_transaction_records',
    help: 'Records per stream transaction (group commit)',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 20_000, 50_000],
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
          notices.push(
            await detectBatch(tx, batch, { detection: compiled, correlation: detection.correlation, artifactHashes: detection.artifactHashes, publishAlerts: detection.publishAlerts }),
          );
        };
      }
      const outcome = await processTelemetryBatch({ pool: deps.pool, events: deps.events, ...(detect ? { detect } : {}) }, records);
      for (const n of notices) if (n.alerts.length) detection!.notify(n);
      const now = Date.now();
      stored.inc(outcome.stored);
      duplicates.inc(outcome.duplicates);
      batchSize.observe(records.length);
      for (const r of records) latency.observe((now - Date.parse(r.receivedAt)) / 1000);
      deps.onStored?.(records, now);
      return outcome;
    },
    // A lone first record waits a few ms for the other partitions of its fetch; after that,
    // batches form while the previous transaction writes.
    { maxRecords: deps.batchMaxRecords, lingerMs: 3, concurrency: deps.writers },
  );
  /** Records read but not yet stored, beyond which a partition handler waits (memory bound). */
  const maxPending = 2 * deps.batchMaxRecords;

  // Offsets to commit, per partition; written only after their transaction committed. A
  // partition's transactions complete in order, so the latest offset covers the earlier ones.
  const toCommit = new Map<number, string>();
  let committing: Promise<void> | undefined;
  const commit = (partition: number, offset: string) => {
    toCommit.set(partition, offset);
    committing ??= (async () => {
      // One commit request for all the partitions of a transaction.
      await null;
      while (toCommit.size) {
        const offsets = [...toCommit].map(([p, o]) => ({ topic: TOPICS.telemetry, partition: p, offset: o }));
        toCommit.clear();
        try {
          await consumer.commitOffsets(offsets);
        } catch (err) {
          // Lost to a rebalance or a coordinator change: the next owner replays from the last
          // committed offset, which stores nothing twice.
          log.warn({ err, offsets }, 'could not commit telemetry offsets');
        }
      }
      committing = undefined;
    })();
  };

  // Partitions being read again after a failed write: batches past that offset (fetched before
  // the rewind took effect) are not written, or their offsets would skip the failed batch.
  const rewinds = new Map<number, bigint>();
  const rewind = (partition: number, offset: string, err: unknown) => {
    const from = BigInt(offset);
    const current = rewinds.get(partition);
    if (current !== undefined && current <= from) return;
    rewinds.set(partition, from);
    if (current === undefined) failedWrites.inc();
    log.warn({ err, partition, offset }, 'could not store telemetry; reading the partition again from the failed batch');
    consumer.seek({ topic: TOPICS.telemetry, partition, offset });
  };

  let stopping = false;
  let supervisor: { stop(): void } | undefined;
  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: deps.concurrency,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      if (!batch.messages.length || !isRunning() || isStale() || stopping) return;
      const { partition } = batch;
      const first = batch.firstOffset()!;
      const records: TelemetryRecord[] = [];
      const bad: TelemetryDlqRecord[] = [];
      const receivedAt = new Date().toISOString();
      for (const m of batch.messages) {
        const r = parseStreamRecord(m.value);
        if (r.ok) records.push(r.record);
        else {
          bad.push({
            reason: 'INVALID',
            message: `record at ${batch.topic}/${batch.partition}@${m.offset} is not telemetry.v1: ${r.reason}`,
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
      // Checked right before handing over (no await in between), so a rewind decided meanwhile holds.
      const from = rewinds.get(partition);
      if (from !== undefined) {
        if (BigInt(first) > from) return;
        rewinds.delete(partition);
      }
      if (stopping || isStale()) return;
      const next = (BigInt(batch.lastOffset()) + 1n).toString();
      writer.write(partition, records).then(
        () => commit(partition, next),
        (err: unknown) => rewind(partition, first, err),
      );
      // The next fetch starts after this batch; its committed offset waits for the write.
      resolveOffset(batch.lastOffset());
      while (writer.pending() > maxPending && isRunning() && !stopping) {
        await Promise.race([writer.idle(), sleep(1000)]);
        await heartbeat();
      }
      await heartbeat();
    },
  };

  return {
    assignedPartitions: () => assigned,
    outOfGroup: () => outOfGroup,
    async start() {
      supervisor = await keepConsuming(
        consumer,
        async () => {
          await consumer.connect();
          await consumer.subscribe({ topic: TOPICS.telemetry, fromBeginning: true });
          await consumer.run(runConfig);
        },
        log,
      );
    },
    async stop() {
      stopping = true;
      supervisor?.stop();
      // Fetch nothing more; store and commit what was read, then leave the group.
      if (assigned.length) consumer.pause([{ topic: TOPICS.telemetry }]);
      await writer.idle();
      while (committing) await committing;
      await consumer.disconnect();
    },
  };
}

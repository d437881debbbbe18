import { TOPICS, type TelemetryDlqRecord, type TelemetryRecord } from '@warden/contracts';
import { parseStreamRecord } from '@warden/core';
import { createBatchWriter } from './batch-writer.js';
import { Counter, Histogram, keepConsuming, type Consumer, type ConsumerRunConfig, type Kafka, type Logger, type Registry } from '@warden/runtime';

/** Seconds from gateway receipt to a group's write, for each group's latency histogram. */
const INGEST_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

/** How one group reads the topic: the settings storage and detection share. */
export interface GroupSettings {
  kafka: Kafka;
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
}

type Meter = { name: string; help: string };

export interface PartitionConsumerDeps extends GroupSettings {
  /** What the group does, in logs and readiness ("storage", "detection"). */
  role: string;
  /** The group's own metric names: gateway receipt → written (histogram), failed writes, unreadable records. */
  meters: { latency: Meter; failedWrites: Meter; unreadable: Meter };
  /** Writes a group of partition batches (all their records, and each partition's); resolves once they are written. */
  write(records: TelemetryRecord[], parts: { partition: number; records: TelemetryRecord[] }[]): Promise<void>;
  /**
   * For a group that keeps state in memory: makes everything written so far durable. Offsets are
   * then committed at most every `intervalMs`, each time right after a checkpoint (without one, as
   * soon as their write resolves).
   */
  checkpoint?: { run(): Promise<void>; intervalMs: number };
  /** Called with this instance's partitions each time it joins the group (before it fetches). */
  onAssigned?(partitions: number[]): void;
  /** Records that are not telemetry.v1, before their offsets move on (the DLQ); they are counted either way. */
  unreadable?(bad: TelemetryDlqRecord[]): Promise<void>;
}

export interface PartitionConsumer {
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
 * A consumer group on warden.telemetry.v1 that writes what it reads to Postgres (storage and
 * detection are two such groups, so that neither waits for the other). Each fetched partition
 * batch is parsed and handed to the batch writer, which writes it with whatever else is waiting in
 * one transaction per group of batches; the partition's offset is committed once that transaction
 * has committed. Handing over
 * does not wait for the write: Kafka's next fetch is read and parsed while Postgres writes (the
 * fetch position moves on, the committed offset only after the data is stored). A crash in
 * between replays from the committed offset, which the (device, ts, seq) key turns into a
 * no-op; a failed write reads its partition again from the failed batch. More instances with the
 * same group id split the partitions between them.
 */
export function createPartitionConsumer(deps: PartitionConsumerDeps): PartitionConsumer {
  const log = deps.log.child({ component: `${deps.role}-consumer` });
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
    outOfGroup = `the ${deps.role} consumer crashed (${e.payload.error.message.slice(0, 200)}) and is rejoining its group`;
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    outOfGroup = null;
    assigned = [...(e.payload.memberAssignment[TOPICS.telemetry] ?? [])].sort((a, b) => a - b);
    deps.onAssigned?.(assigned);
    log.info({ partitions: assigned, group: deps.groupId }, `joined the ${deps.role} consumer group`);
  });

  const registers = [deps.metrics];
  const failedWrites = new Counter({ ...deps.meters.failedWrites, registers });
  const unreadable = new Counter({ ...deps.meters.unreadable, registers });
  const latency = new Histogram({ ...deps.meters.latency, buckets: INGEST_LATENCY_BUCKETS, registers });
  const writer = createBatchWriter(deps.write, {
    maxRecords: deps.batchMaxRecords,
    // A lone first record waits a few ms for the other partitions of its fetch; after that,
    // batches form while the previous transaction writes.
    lingerMs: 3,
    concurrency: deps.writers,
  });
  /** Records read but not yet stored, beyond which a partition handler waits (memory bound). */
  const maxPending = 2 * deps.batchMaxRecords;

  // Offsets to commit, per partition; written only after their transaction committed. A
  // partition's transactions complete in order, so the latest offset covers the earlier ones.
  const toCommit = new Map<number, string>();
  let stopping = false;
  let committing: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => (wake = undefined));
  const commit = (partition: number, offset: string) => {
    toCommit.set(partition, offset);
    committing ??= (async () => {
      // One commit request for all the partitions of a transaction (or of a checkpoint interval).
      await (deps.checkpoint && !stopping ? pause(deps.checkpoint.intervalMs) : null);
      while (toCommit.size) {
        // Not for partitions a rebalance gave to another instance meanwhile: it reads them from the
        // committed offset (with a write still in flight here, that is a replay, never a gap).
        const owned = new Set(assigned);
        const offsets = [...toCommit].filter(([p]) => owned.has(p)).map(([p, o]) => ({ topic: TOPICS.telemetry, partition: p, offset: o }));
        toCommit.clear();
        if (!offsets.length) break;
        if (deps.checkpoint) {
          try {
            // Taken after the offsets: everything they cover is then durable.
            await deps.checkpoint.run();
          } catch (err) {
            // Nothing is lost: the offsets stay behind and are committed after a later checkpoint.
            for (const o of offsets) if (!toCommit.has(o.partition)) toCommit.set(o.partition, o.offset);
            log.warn({ err }, `${deps.role}: could not checkpoint; its offsets wait for the next one`);
            if (stopping) break;
            await pause(deps.checkpoint.intervalMs);
            continue;
          }
        }
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
    log.warn({ err, partition, offset }, `${deps.role}: could not write telemetry; reading the partition again from the failed batch`);
    consumer.seek({ topic: TOPICS.telemetry, partition, offset });
  };

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
        await deps.unreadable?.(bad);
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
        () => {
          const now = Date.now();
          for (const r of records) latency.observe((now - Date.parse(r.receivedAt)) / 1000);
          commit(partition, next);
        },
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
      wake?.();
      while (committing) {
        await committing;
        wake?.();
      }
      await consumer.disconnect();
    },
  };
}

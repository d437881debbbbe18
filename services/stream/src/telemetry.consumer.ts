import { DLQ_MESSAGE_LIMIT, DLQ_PAYLOAD_LIMIT, SCHEMA_HEADER, TOPICS, type TelemetryDlqRecord, type TelemetryRecord } from '@warden/contracts';
import { processTelemetryBatchIsolating, type DeviceEventPublisher } from '@warden/core';
import type { SqlPool } from '@warden/db';
import { Counter, Histogram, type Producer } from '@warden/runtime';
import { createPartitionConsumer, type GroupSettings, type PartitionConsumer } from './partition-consumer.js';

export interface TelemetryConsumerDeps extends GroupSettings {
  producer: Producer;
  pool: SqlPool;
  events: DeviceEventPublisher;
  /** Called after a batch is committed to Postgres (benchmarks and tests observe latency with it). */
  onStored?: (records: TelemetryRecord[], storedAt: number) => void;
}

export type TelemetryConsumer = PartitionConsumer;

/**
 * The storage group: points, contacts and latest device state, in one transaction per group of
 * batches (see partition-consumer.ts for batching, offsets and replays). Records that are not
 * telemetry.v1 go to the DLQ with their offset. Detection reads the same topic in its own group
 * (detection/detection.consumer.ts), so an alert never waits for point writes.
 */
export function createTelemetryConsumer(deps: TelemetryConsumerDeps): TelemetryConsumer {
  const stored = new Counter({ name: 'warden_stream_telemetry_stored_total', help: 'Telemetry messages stored', registers: [deps.metrics] });
  const duplicates = new Counter({ name: 'warden_stream_telemetry_duplicates_total', help: 'Telemetry messages already stored (replays)', registers: [deps.metrics] });
  const batchSize = new Histogram({
    name: 'warden_stream_transaction_records',
    help: 'Records per storage transaction (group commit)',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 20_000, 50_000],
    registers: [deps.metrics],
  });

  const unstorable = new Counter({ name: 'warden_stream_telemetry_unstorable_total', help: 'Records Postgres refused to store (sent to the DLQ with its reason)', registers: [deps.metrics] });
  const toDlq = async (bad: TelemetryDlqRecord[]) => {
    await deps.producer.send({
      topic: TOPICS.telemetryDlq,
      acks: -1,
      messages: bad.map((b) => ({ key: b.deviceId ?? null, value: JSON.stringify(b), headers: { [SCHEMA_HEADER]: 'telemetry.dlq.v1' } })),
    });
  };

  return createPartitionConsumer({
    ...deps,
    role: 'telemetry',
    meters: {
      latency: { name: 'warden_stream_ingest_to_stored_seconds', help: 'From gateway receipt to committed in Postgres' },
      failedWrites: { name: 'warden_stream_write_failures_total', help: 'Storage transactions that failed (their partitions are read again)' },
      unreadable: { name: 'warden_stream_telemetry_unreadable_total', help: 'Records that were not telemetry.v1 (sent to the DLQ)' },
    },
    unreadable: toDlq,
    async write(records) {
      // A record Postgres refuses goes to the DLQ instead of failing its batch (and partition) for good.
      const outcome = await processTelemetryBatchIsolating({ pool: deps.pool, events: deps.events }, records, async (refused) => {
        deps.log.warn({ records: refused.length, reason: refused[0]!.reason }, 'Postgres refused telemetry records; sent to the DLQ');
        await toDlq(
          refused.map(({ record, reason }) => ({
            reason: 'UNSTORABLE',
            message: `record of device ${record.deviceId} (seq ${record.seq}) could not be stored: ${reason}`.slice(0, DLQ_MESSAGE_LIMIT),
            deviceId: record.deviceId,
            via: 'stream',
            receivedAt: record.receivedAt,
            payload: JSON.stringify(record).slice(0, DLQ_PAYLOAD_LIMIT),
          })),
        );
      });
      unstorable.inc(outcome.unstorable);
      const now = Date.now();
      stored.inc(outcome.stored);
      duplicates.inc(outcome.duplicates);
      batchSize.observe(records.length);
      deps.onStored?.(records, now);
    },
  });
}

import { SCHEMA_HEADER, TOPICS, type TelemetryDlqRecord, type TelemetryRecord } from '@warden/contracts';
import { IngestBusyError, IngestUnavailableError, type DlqPublisher, type TelemetryPublisher } from '@warden/core';
import { createBatchingProducer, ProducerBusyError, type KafkaCompression, type Producer } from '@warden/runtime';

export interface PublisherOptions {
  compression: KafkaCompression;
  lingerMs: number;
  maxInFlight: number;
  timeoutMs: number;
}

/** Waits for Kafka at most `ms`; the device is told to retry rather than kept hanging. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function mapErrors(err: unknown): never {
  if (err instanceof ProducerBusyError) throw new IngestBusyError(1);
  throw new IngestUnavailableError(5, { cause: err });
}

/** Telemetry and DLQ publishers over one producer, batching concurrent requests together. */
export function createTelemetryPublishers(producer: Producer, opts: PublisherOptions): {
  telemetry: TelemetryPublisher & { inFlight(): number };
  dlq: DlqPublisher;
} {
  const telemetry = createBatchingProducer(producer, {
    topic: TOPICS.telemetry,
    compression: opts.compression,
    lingerMs: opts.lingerMs,
    maxBatch: 5000,
    maxInFlight: opts.maxInFlight,
  });
  const dlq = createBatchingProducer(producer, {
    topic: TOPICS.telemetryDlq,
    compression: opts.compression,
    lingerMs: opts.lingerMs,
    maxBatch: 1000,
    maxInFlight: Math.max(1000, Math.floor(opts.maxInFlight / 10)),
  });
  const header = { [SCHEMA_HEADER]: 'telemetry.v1' };
  const dlqHeader = { [SCHEMA_HEADER]: 'telemetry.dlq.v1' };
  return {
    telemetry: {
      inFlight: () => telemetry.inFlight(),
      publish: (records: TelemetryRecord[]) =>
        within(
          telemetry.send(records.map((r) => ({ key: r.deviceId, value: JSON.stringify(r), headers: header }))),
          opts.timeoutMs,
        ).catch(mapErrors),
    },
    dlq: {
      publish: (records: TelemetryDlqRecord[]) =>
        within(
          dlq.send(records.map((r) => ({ key: r.deviceId ?? null, value: JSON.stringify(r), headers: dlqHeader }))),
          opts.timeoutMs,
        ).catch(mapErrors),
    },
  };
}

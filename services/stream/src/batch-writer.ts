import type { TelemetryRecord } from '@warden/contracts';
import type { BatchOutcome } from '@warden/core';

export interface BatchWriterOptions {
  /** Write as soon as this many records wait. */
  maxRecords: number;
  /** How long the first waiting record may wait for others. */
  lingerMs: number;
  /** Transactions in flight at once (each takes a Postgres connection). */
  concurrency: number;
}

/**
 * Group commit for the consumer: Kafka hands over one partition's fetch at a time, often a few
 * hundred records, while Postgres does best with thousands per statement. Concurrent partition
 * handlers submit their records here; they are written together in one transaction, and each
 * handler resumes (and commits its own offsets) once that transaction has committed.
 */
export function createBatchWriter(
  write: (records: TelemetryRecord[]) => Promise<BatchOutcome>,
  opts: BatchWriterOptions,
): { write(records: TelemetryRecord[]): Promise<void>; pending(): number } {
  interface Waiting {
    records: TelemetryRecord[];
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  let queue: Waiting[] = [];
  let queued = 0;
  let running = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!queue.length || running >= opts.concurrency) return;
    const batch = queue;
    queue = [];
    queued = 0;
    running++;
    write(batch.flatMap((w) => w.records))
      .then(
        () => batch.forEach((w) => w.resolve()),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        running--;
        if (queued >= opts.maxRecords) flush();
        else if (queue.length) timer ??= setTimeout(flush, opts.lingerMs);
      });
  };

  return {
    pending: () => queued,
    write(records) {
      if (!records.length) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, resolve, reject });
        queued += records.length;
        if (queued >= opts.maxRecords) flush();
        else timer ??= setTimeout(flush, opts.lingerMs);
      });
    },
  };
}

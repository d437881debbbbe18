import type { TelemetryRecord } from '@warden/contracts';

export interface BatchWriterOptions {
  /** Records one transaction takes at most (a larger single submission is written alone). */
  maxRecords: number;
  /** How long the first waiting record may wait for others when nothing is being written. */
  lingerMs: number;
  /** Transactions in flight at once (each takes a Postgres connection). */
  concurrency: number;
  /** Pause after a failed transaction before the next, doubling up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface BatchWriter {
  /**
   * Queues one partition's records; resolves once they are committed to Postgres. Submissions of
   * one partition are written in order, never two at once, and never after one of them failed:
   * the queued ones behind a failure are refused with it (the caller reads them again).
   */
  write(partition: number, records: TelemetryRecord[]): Promise<void>;
  /** Records queued or being written. */
  pending(): number;
  /** Resolves once nothing is queued or being written. */
  idle(): Promise<void>;
}

interface Submission {
  partition: number;
  records: TelemetryRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the consumer. Kafka hands over one partition's fetch at a time; Postgres does
 * best with thousands of rows per statement. Partition handlers submit here and return to Kafka at
 * once, so the next fetch is read and parsed while this writes: whatever arrived meanwhile goes
 * into the next transaction, up to `maxRecords`. Batches grow with the backlog and stay small
 * (quick) when there is none.
 *
 * Order: a partition is in at most one transaction at a time, so a device's messages (one
 * device, one partition) reach detection in order and its offsets can be committed as each
 * transaction completes.
 */
export function createBatchWriter(
  write: (records: TelemetryRecord[], parts: { partition: number; records: TelemetryRecord[] }[]) => Promise<unknown>,
  opts: BatchWriterOptions,
): BatchWriter {
  const backoffMs = opts.backoffMs ?? 200;
  const maxBackoffMs = opts.maxBackoffMs ?? 5000;
  let queue: Submission[] = [];
  let queued = 0;
  let writing = 0;
  let running = 0;
  /** Partitions with a transaction in flight. */
  const busy = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let retryAt = 0;
  let failures = 0;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (queue.length || running) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const schedule = (ms: number) => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, ms);
  };

  /** Takes, in queue order, the submissions of partitions not in flight, up to `maxRecords`. */
  const take = (): Submission[] => {
    const taken: Submission[] = [];
    const rest: Submission[] = [];
    let n = 0;
    let full = false;
    for (const s of queue) {
      if (full || busy.has(s.partition) || (taken.length && n + s.records.length > opts.maxRecords)) {
        rest.push(s);
        // Past the limit nothing else goes, or a partition's later submission could overtake it.
        if (!busy.has(s.partition)) full = true;
        continue;
      }
      taken.push(s);
      n += s.records.length;
    }
    if (taken.length) {
      queue = rest;
      queued -= n;
    }
    return taken;
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const wait = retryAt - Date.now();
    if (wait > 0) return schedule(wait);
    while (running < opts.concurrency && queue.length && (!running || queued >= opts.maxRecords)) {
      const batch = take();
      if (!batch.length) return;
      const records = batch.flatMap((s) => s.records);
      if (!records.length) {
        // Only batches with nothing to store (all sent to the DLQ), now next in line: done.
        for (const s of batch) s.resolve();
        continue;
      }
      const partitions = new Set(batch.map((s) => s.partition));
      for (const p of partitions) busy.add(p);
      running++;
      writing += records.length;
      write(records, batch.map((s) => ({ partition: s.partition, records: s.records }))).then(
        () => {
          failures = 0;
          for (const s of batch) s.resolve();
        },
        (err: unknown) => {
          failures++;
          retryAt = Date.now() + Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
          for (const s of batch) s.reject(err);
          // What waits behind a failed write of its partition must not be written before it.
          const behind = queue.filter((s) => partitions.has(s.partition));
          if (behind.length) {
            queue = queue.filter((s) => !partitions.has(s.partition));
            for (const s of behind) {
              queued -= s.records.length;
              s.reject(err);
            }
          }
        },
      ).finally(() => {
        running--;
        writing -= records.length;
        for (const p of partitions) busy.delete(p);
        // What arrived meanwhile is written at once: it has waited long enough.
        if (queue.length) flush();
        settleIdle();
      });
    }
    settleIdle();
  };

  return {
    pending: () => queued + writing,
    idle: () => (queue.length || running ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    write(partition, records) {
      // Nothing to write and nothing before it: done. Otherwise it keeps its place, so that its
      // offsets are committed only after the records before it.
      if (!records.length && !busy.has(partition) && !queue.some((s) => s.partition === partition)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ partition, records, resolve, reject });
        queued += records.length;
        // With a transaction in flight, records wait for it (it flushes them when it completes)
        // unless a full batch is ready for another connection.
        if (queued >= opts.maxRecords) flush();
        else if (!running) schedule(opts.lingerMs);
      });
    },
  };
}

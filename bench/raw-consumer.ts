import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from '@warden/runtime';

export interface RawConsumer {
  /** Records read so far. */
  consumed(): number;
  /**
   * Resolves with the time (performance.now) at which `target` records had been read. Fails with
   * what each partition delivered, beside its high watermark, when nothing arrives for 30 s or the
   * consumer crashed, instead of waiting forever. Any number of callers may wait at once.
   */
  reach(target: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A bare kafkajs consumer group for the raw-engine figures: no Warden code, one JSON.parse per
 * record. Resolves once the group has assigned it its partitions, so a measurement that produces
 * next does not race the join.
 */
export async function startRawConsumer(
  kafka: Kafka,
  topic: string,
  opts: { partitionsConsumedConcurrently?: number; joinTimeoutMs?: number } = {},
): Promise<RawConsumer> {
  const consumer: Consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxBytesPerPartition: 2 * 1024 * 1024, maxWaitTimeInMs: 200 });
  let consumed = 0;
  let movedAt = performance.now();
  let crashed: unknown;
  let waiting: Array<{ n: number; resolve: (at: number) => void; reject: (err: unknown) => void }> = [];
  const settle = () => {
    const now = performance.now();
    waiting = waiting.filter((w) => (consumed >= w.n ? (w.resolve(now), false) : true));
  };
  const perPartition = new Map<number, { records: number; lastOffset: string }>();
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if ((e.payload.memberAssignment[topic] ?? []).length) resolve();
    });
  });
  consumer.on(consumer.events.CRASH, (e) => {
    crashed = e.payload.error;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  void consumer.run({
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 3,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      for (const m of batch.messages) JSON.parse(m.value!.toString());
      consumed += batch.messages.length;
      const p = perPartition.get(batch.partition) ?? { records: 0, lastOffset: '' };
      p.records += batch.messages.length;
      p.lastOffset = batch.lastOffset();
      perPartition.set(batch.partition, p);
      movedAt = performance.now();
      settle();
    },
  });
  const joinTimeoutMs = opts.joinTimeoutMs ?? 30_000;
  let joinTimer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (joinTimer = setTimeout(() => resolve('timeout'), joinTimeoutMs)));
  const outcome = await Promise.race([joined.then(() => 'joined' as const), timedOut]);
  clearTimeout(joinTimer);
  if (outcome === 'timeout') {
    await consumer.disconnect().catch(() => {});
    throw new Error(`raw consumer: no partitions of ${topic} assigned within ${joinTimeoutMs / 1000} s${crashed ? ` (crashed: ${String(crashed)})` : ''}`);
  }

  const STALL_MS = 30_000;
  const watchdog = setInterval(() => {
    if (!waiting.length) return;
    if (crashed || performance.now() - movedAt > STALL_MS) {
      const failed = waiting;
      waiting = [];
      void diagnose(crashed ? 'crashed' : `stalled for ${STALL_MS / 1000} s`, Math.max(...failed.map((w) => w.n))).then((err) => failed.forEach((w) => w.reject(err)));
    }
  }, 100);

  const diagnose = async (why: string, target: number): Promise<Error> => {
    const admin = kafka.admin();
    let marks = '';
    try {
      await admin.connect();
      marks = (await admin.fetchTopicOffsets(topic)).map((p) => `${p.partition}: offsets ${p.low} to ${p.high}`).join(', ');
    } catch (err) {
      marks = `(high watermarks unavailable: ${String(err)})`;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const got = [...perPartition].sort((a, b) => a[0] - b[0]).map(([p, s]) => `${p}: ${s.records} read, last offset ${s.lastOffset}`).join(', ');
    // A log that starts past 0 lost its oldest records: the dev broker keeps 5 MB per partition.
    return new Error(`raw consumer ${why}: ${consumed} of ${target} records read. Per partition: ${got || 'nothing'}. Topic: ${marks}${crashed ? `. Crashed: ${String(crashed)}` : ''}`);
  };

  return {
    consumed: () => consumed,
    reach(n) {
      if (consumed >= n) return Promise.resolve(performance.now());
      // The clock for a stall starts when someone waits.
      if (!waiting.length) movedAt = performance.now();
      return new Promise<number>((resolve, reject) => waiting.push({ n, resolve, reject }));
    },
    stop: async () => {
      clearInterval(watchdog);
      await consumer.disconnect();
    },
  };
}

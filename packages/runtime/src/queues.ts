import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JOBS, jobsOf, type EnqueueOptions, type JobData, type JobName, type JobQueue, type QueueName } from '@warden/contracts';

/**
 * BullMQ over the typed job catalog in `@warden/contracts`: producers get a `JobQueue`, workers get
 * payloads that were validated against the catalog's schema. Queues share one Redis connection and
 * the deployment's key prefix.
 */
export interface BullJobQueue extends JobQueue {
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createJobQueue(connection: Redis, prefix: string): BullJobQueue {
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      queues.set(name, q);
    }
    return q;
  };
  return {
    queue,
    async enqueue<N extends JobName>(name: N, data: JobData<N>, opts: EnqueueOptions = {}): Promise<void> {
      const spec = JOBS[name];
      const jobOpts: JobsOptions = {
        attempts: spec.attempts,
        backoff: { type: 'exponential', delay: spec.backoffMs },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
        ...(opts.jobId ? { jobId: opts.jobId } : {}),
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        ...(opts.dedupe ? { deduplication: { id: opts.dedupe.key, ttl: opts.dedupe.ttlMs } } : {}),
      };
      await queue(spec.queue).add(name, spec.schema.parse(data), jobOpts);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type JobHandlers<Q extends QueueName> = {
  [N in JobName as (typeof JOBS)[N]['queue'] extends Q ? N : never]: (data: JobData<N>, job: Job) => Promise<unknown>;
};

/**
 * A worker for one queue. A payload that does not match the catalog fails at once with the reason
 * (it stays in the failed set: the dead-letter list); a run longer than the job's timeout fails
 * the attempt and is retried with backoff.
 */
export function createJobWorker<Q extends QueueName>(
  queueName: Q,
  handlers: JobHandlers<Q>,
  opts: { connection: Redis; prefix: string; concurrency: number; log: Logger; autorun?: boolean; lockMs?: number },
): Worker {
  const known = new Set<string>(jobsOf(queueName));
  const worker = new Worker(
    queueName,
    async (job: Job) => {
      if (!known.has(job.name)) throw new UnrecoverableError(`unknown job ${job.name} on queue ${queueName}`);
      const name = job.name as JobName;
      const spec = JOBS[name];
      const parsed = spec.schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad payload for ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const handler = (handlers as Record<string, (d: unknown, j: Job) => Promise<unknown>>)[name]!;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          handler(parsed.data, job),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name} took longer than ${spec.timeoutMs} ms`)), spec.timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      autorun: opts.autorun ?? true,
      ...(opts.lockMs ? { lockDuration: opts.lockMs, stalledInterval: Math.max(1000, Math.floor(opts.lockMs / 2)) } : {}),
    },
  );
  worker.on('failed', (job, err) => {
    opts.log.warn({ err, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, queue: queueName }, 'job failed');
  });
  worker.on('error', (err) => opts.log.error({ err, queue: queueName }, 'worker error'));
  return worker;
}

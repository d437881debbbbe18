import { z } from 'zod';

/** BullMQ queue names (prefixed by REDIS_PREFIX at run time). */
export const QUEUES = {
  rollouts: 'rollouts',
  actionTimeouts: 'action-timeouts',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const uuid = z.uuid();

export interface JobSpec<S extends z.ZodType> {
  queue: QueueName;
  schema: S;
  attempts: number;
  backoffMs: number;
  /** A run longer than this fails the attempt (enforced by the worker). */
  timeoutMs: number;
}

function job<S extends z.ZodType>(spec: JobSpec<S>): JobSpec<S> {
  return spec;
}

/**
 * Every background job: name → payload schema, retries, backoff, timeout. Processors are
 * idempotent (state lives in Postgres), and producers give each job a deterministic id, so a
 * retried or duplicated job never repeats a device's update.
 */
export const JOBS = {
  /** Start wave `waveIndex` of a rollout (its actions become visible to devices). */
  'rollout.start-wave': job({
    queue: QUEUES.rollouts,
    schema: z.object({ rolloutId: uuid, waveIndex: z.number().int().min(0) }),
    attempts: 8,
    backoffMs: 500,
    timeoutMs: 60_000,
  }),
  /** Look at a rollout's counts and advance, pause, abort or complete it. */
  'rollout.evaluate': job({
    queue: QUEUES.rollouts,
    schema: z.object({ rolloutId: uuid }),
    attempts: 8,
    backoffMs: 500,
    timeoutMs: 60_000,
  }),
  /** Safety net for lost wake-ups: time out overdue actions, evaluate running rollouts (repeats). */
  'rollout.sweep': job({
    queue: QUEUES.rollouts,
    schema: z.object({}),
    attempts: 1,
    backoffMs: 1000,
    timeoutMs: 120_000,
  }),
  /** A wave's per-device deadline passed: actions still open become TIMED_OUT. */
  'action.timeout': job({
    queue: QUEUES.actionTimeouts,
    schema: z.object({ rolloutId: uuid, waveId: uuid }),
    attempts: 8,
    backoffMs: 500,
    timeoutMs: 60_000,
  }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;

export interface EnqueueOptions {
  /** Deterministic id: adding a job whose id exists is a no-op. */
  jobId?: string;
  delayMs?: number;
  /** Collapse adds with the same key within `ttlMs` into one job (throttle). */
  dedupe?: { key: string; ttlMs: number };
}

/** What use-cases need to put work on a queue (implemented over BullMQ in `@warden/runtime`). */
export interface JobQueue {
  enqueue<N extends JobName>(name: N, data: JobData<N>, opts?: EnqueueOptions): Promise<void>;
}

/** Job names of one queue. */
export function jobsOf(queue: QueueName): JobName[] {
  return (Object.keys(JOBS) as JobName[]).filter((n) => JOBS[n].queue === queue);
}

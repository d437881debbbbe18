import { z } from 'zod';

/** BullMQ queue names (prefixed by REDIS_PREFIX at run time). */
export const QUEUES = {
  rollouts: 'rollouts',
  actionTimeouts: 'action-timeouts',
  containment: 'containment',
  playbooks: 'playbooks',
  webhooks: 'webhooks',
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
  /**
   * Publish containments whose latest change is not delivered yet (the outbox): the Kafka event,
   * the devices' retained MQTT state, the gateways' auth-cache eviction; then mark them delivered.
   */
  'containment.deliver': job({
    queue: QUEUES.containment,
    schema: z.object({ ids: z.array(uuid).min(1).max(1000) }),
    attempts: 10,
    backoffMs: 500,
    timeoutMs: 60_000,
  }),
  /** Release the containments of a request whose expiry has come (delayed until `expiresAt`). */
  'containment.expire': job({
    queue: QUEUES.containment,
    schema: z.object({ requestId: uuid }),
    attempts: 10,
    backoffMs: 1000,
    timeoutMs: 60_000,
  }),
  /** Safety net (at start and repeating): expire overdue containments, redeliver undelivered ones. */
  'containment.sweep': job({
    queue: QUEUES.containment,
    schema: z.object({}),
    attempts: 1,
    backoffMs: 1000,
    timeoutMs: 120_000,
  }),
  // -- playbooks and webhooks (core/playbooks, core/webhooks; services/worker) ------------------------
  /**
   * Move a playbook run forward as far as it can go (execute steps, start waits and approvals,
   * finish). Also the wake-up of a wait, a retry or an approval timeout (delayed).
   */
  'playbook.advance': job({
    queue: QUEUES.playbooks,
    schema: z.object({ runId: uuid }),
    attempts: 10,
    backoffMs: 1000,
    timeoutMs: 300_000,
  }),
  /**
   * An incident was opened or changed (by detection or by a responder): start the playbooks its
   * trigger matches (once per playbook and incident), wake runs waiting on it, and tell webhook
   * subscribers (alerts it gained, the incident itself).
   */
  'incident.changed': job({
    queue: QUEUES.playbooks,
    schema: z.object({
      incidentId: uuid,
      change: z.enum(['CREATED', 'UPDATED', 'STATUS', 'ASSIGNED', 'NOTE', 'CONTAINMENT']),
      actor: z.string().max(200),
      /** Alerts the change attached (detection), for `alert.raised` webhooks. */
      alertIds: z.array(uuid).max(5000).default([]),
      /** Epoch ms of the change: one webhook event per change. */
      at: z.number().int(),
    }),
    attempts: 10,
    backoffMs: 500,
    timeoutMs: 120_000,
  }),
  /** Safety net for lost wake-ups (repeats): overdue runs, recent incidents' triggers, overdue deliveries. */
  'playbook.sweep': job({
    queue: QUEUES.playbooks,
    schema: z.object({}),
    attempts: 1,
    backoffMs: 1000,
    timeoutMs: 120_000,
  }),
  /** Tell every subscription of `type` about an event (creates one delivery per subscription). */
  'webhook.event': job({
    queue: QUEUES.webhooks,
    schema: z.object({
      /** Deterministic, so an event dispatched twice is delivered once. */
      id: z.string().min(1).max(200),
      type: z.string().regex(/^[a-z][a-z0-9_.]{0,62}$/),
      occurredAt: z.iso.datetime({ offset: true }),
      data: z.record(z.string(), z.unknown()),
    }),
    attempts: 8,
    backoffMs: 1000,
    timeoutMs: 60_000,
  }),
  /** One attempt to deliver a webhook; a failure schedules the next attempt with backoff. */
  'webhook.deliver': job({
    queue: QUEUES.webhooks,
    schema: z.object({ deliveryId: uuid }),
    attempts: 5,
    backoffMs: 1000,
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

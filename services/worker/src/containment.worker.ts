import { JOBS, QUEUES } from '@warden/contracts';
import { deliverContainments, expireContainments, markDeliveryFailed, sweepContainments, type ContainmentOutlets, type DeliveryDeps } from '@warden/core/containment';
import { createJobWorker } from '@warden/runtime';
import { jobWorkerOptions, workerGroup, type QueueWorkerOptions } from './worker-group.js';

export interface ContainmentWorkerOptions extends QueueWorkerOptions {
  deps: DeliveryDeps;
  outlets: ContainmentOutlets;
}

/**
 * How the worker runs containment (the `containment` queue): deliver (the outbox: Kafka event,
 * devices' retained MQTT state, gateway eviction; retried with backoff and marked FAILED once
 * retries are spent, the sweep still trying), expire (delayed until `expiresAt`), and a repeating
 * sweep, also run at start, for overdue expiries and undelivered changes a crash left behind.
 */
export function createContainmentWorkers(o: ContainmentWorkerOptions) {
  const { deps, log } = o;
  return workerGroup({
    name: 'containment',
    jobs: o.jobs,
    log,
    sweep: { job: 'containment.sweep', everySeconds: o.sweepSeconds },
    create: () => {
      const worker = createJobWorker(
        QUEUES.containment,
        {
          'containment.deliver': async ({ ids }) => {
            const n = await deliverContainments(deps, o.outlets, ids);
            if (n) log.info({ delivered: n }, 'containments delivered');
            return n;
          },
          'containment.expire': async ({ requestId }) => {
            const released = await expireContainments(deps, requestId);
            if (released.length) log.info({ requestId, expired: released.length }, 'containments expired');
            else {
              // Early (clock skew) or already released: wait for whatever is still due.
              const next = await deps.db.containment.findFirst({
                where: { requestId, status: { in: ['PENDING', 'APPLIED', 'FAILED'] }, expiresAt: { not: null } },
                orderBy: { expiresAt: 'asc' },
                select: { expiresAt: true },
              });
              if (next?.expiresAt) await o.jobs.enqueue('containment.expire', { requestId }, { jobId: `expire.${requestId}.${next.expiresAt.getTime()}`, delayMs: Math.max(1, next.expiresAt.getTime() - Date.now()) });
            }
            return released.length;
          },
          'containment.sweep': async () => {
            const r = await sweepContainments(deps);
            for (const ids of r.undelivered) await o.jobs.enqueue('containment.deliver', { ids }, { jobId: `redeliver.${ids[0]}.${Date.now()}` });
            if (r.expired || r.undelivered.length) log.info({ expired: r.expired, redeliver: r.undelivered.flat().length }, 'containment sweep');
            return { expired: r.expired, redeliver: r.undelivered.flat().length };
          },
        },
        jobWorkerOptions(o),
      );
      worker.on('failed', (job, err) => {
        if (!job || job.name !== 'containment.deliver' || job.attemptsMade < JOBS['containment.deliver'].attempts) return;
        const ids = (job.data as { ids: string[] }).ids;
        void markDeliveryFailed(deps, ids, err.message).catch((e: unknown) => log.error({ err: e }, 'could not mark containments FAILED'));
      });
      return [worker];
    },
  });
}

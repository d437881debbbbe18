import type { Worker } from 'bullmq';
import type { BullJobQueue, Logger, Redis } from '@warden/runtime';
import { JOBS } from '@warden/contracts';

/** The repeating sweeps: jobs that take no data. */
type SweepJob = 'rollout.sweep' | 'playbook.sweep' | 'containment.sweep';

/** What every feature's workers take besides their own dependencies. */
export interface QueueWorkerOptions {
  jobs: BullJobQueue;
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency: number;
  sweepSeconds: number;
  lockMs: number;
}

/** The BullMQ worker settings of a group's workers (started by the group, not on creation). */
export const jobWorkerOptions = (o: QueueWorkerOptions) => ({
  connection: o.connection,
  prefix: o.prefix,
  concurrency: o.concurrency,
  log: o.log,
  autorun: false,
  lockMs: o.lockMs,
});

export interface WorkerGroup {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One feature's BullMQ workers as a unit: started together, with a repeating safety sweep (and
 * one right away, so a restart picks up whatever a crash left behind), and
 * closed together.
 */
export function workerGroup(o: {
  name: string;
  create: () => Worker[];
  jobs: BullJobQueue;
  log: Logger;
  sweep: { job: SweepJob; everySeconds: number };
}): WorkerGroup {
  let workers: Worker[] = [];
  return {
    async start(): Promise<void> {
      workers = o.create();
      for (const w of workers) {
        void w.run().catch((err: unknown) => o.log.error({ err, group: o.name }, 'worker stopped'));
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      await o.jobs.queue(JOBS[o.sweep.job].queue).upsertJobScheduler(o.sweep.job, { every: o.sweep.everySeconds * 1000 }, { name: o.sweep.job, data: {} });
      await o.jobs.enqueue(o.sweep.job, {}, { jobId: `sweep.start.${Date.now()}` });
    },
    async stop(): Promise<void> {
      await Promise.all(workers.map((w) => w.close()));
      workers = [];
    },
  };
}

import { QUEUES } from '@warden/contracts';
import { advancePlaybookRun, onIncidentChanged, sweepPlaybooks, type PlaybookDeps, type StepExecutors } from '@warden/core/playbooks';
import { deliverWebhook, dispatchWebhookEvent } from '@warden/core/webhooks';
import { createJobWorker, type BullJobQueue, type Logger, type Redis } from '@warden/runtime';
import { workerGroup } from './worker-group.js';

export interface PlaybookWorkerOptions {
  deps: PlaybookDeps;
  executors: StepExecutors;
  jobs: BullJobQueue;
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency: number;
  sweepSeconds: number;
  lockMs: number;
}

/**
 * How the worker runs playbooks and webhooks: the `playbooks` queue (advance a run, react to an
 * incident change, sweep) and the `webhooks` queue (fan an event out to subscriptions, deliver
 * one). Run state and deliveries live in Postgres, so a job retried after a crash repeats nothing.
 */
export function createPlaybookWorkers(o: PlaybookWorkerOptions) {
  const { deps, log } = o;
  const common = { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, log, autorun: false, lockMs: o.lockMs };
  return workerGroup({
    name: 'playbooks',
    jobs: o.jobs,
    log,
    sweep: { job: 'playbook.sweep', everySeconds: o.sweepSeconds },
    create: () => [
      createJobWorker(
        QUEUES.playbooks,
        {
          'playbook.advance': async ({ runId }) => {
            const outcome = await advancePlaybookRun(deps, o.executors, runId);
            log.debug({ runId, outcome }, 'playbook run advanced');
            return outcome;
          },
          'incident.changed': async (change) => {
            const r = await onIncidentChanged(deps, change);
            if (r.started.length) log.info({ incidentId: change.incidentId, runs: r.started }, 'playbooks triggered');
            return r;
          },
          'playbook.sweep': async () => sweepPlaybooks(deps),
        },
        common,
      ),
      createJobWorker(
        QUEUES.webhooks,
        {
          'webhook.event': async (e) => dispatchWebhookEvent(deps, e),
          'webhook.deliver': async ({ deliveryId }) => deliverWebhook(deps, deliveryId),
        },
        common,
      ),
    ],
  });
}

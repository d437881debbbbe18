import { QUEUES } from '@warden/contracts';
import { advancePlaybookRun, onIncidentChanged, sweepPlaybooks, type PlaybookDeps, type StepExecutors } from '@warden/core/playbooks';
import { deliverWebhook, dispatchWebhookEvent } from '@warden/core/webhooks';
import { createJobWorker } from '@warden/runtime';
import { jobWorkerOptions, workerGroup, type QueueWorkerOptions } from './worker-group.js';

export interface PlaybookWorkerOptions extends QueueWorkerOptions {
  deps: PlaybookDeps;
  executors: StepExecutors;
}

/**
 * How the worker runs playbooks and webhooks: the `playbooks` queue (advance a run, react to an
 * incident change, sweep) and the `webhooks` queue (fan an event out to subscriptions, deliver
 * one). Run state and deliveries live in Postgres, so a job retried after a crash repeats nothing.
 */
export function createPlaybookWorkers(o: PlaybookWorkerOptions) {
  const { deps, log } = o;
  const common = jobWorkerOptions(o);
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

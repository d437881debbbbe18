import { QUEUES } from '@warden/contracts';
import { evaluateRollout, startWave, sweepRollouts, timeOutWave, type RolloutDeps } from '@warden/core/rollouts';
import { createJobWorker } from '@warden/runtime';
import { jobWorkerOptions, workerGroup, type QueueWorkerOptions } from './worker-group.js';

export interface RolloutWorkerOptions extends QueueWorkerOptions {
  deps: RolloutDeps;
}

/**
 * How the worker runs rollouts: the `rollouts` queue (evaluate, start-wave, sweep) and the
 * `action-timeouts` queue call the orchestrator's steps in core. Every step is idempotent and keeps
 * its state in Postgres, so a job retried after a crash never repeats a device's update.
 */
export function createRolloutWorkers(o: RolloutWorkerOptions) {
  const { deps, log } = o;
  const common = jobWorkerOptions(o);
  return workerGroup({
    name: 'rollouts',
    jobs: o.jobs,
    log,
    sweep: { job: 'rollout.sweep', everySeconds: o.sweepSeconds },
    create: () => [
      createJobWorker(
        QUEUES.rollouts,
        {
          'rollout.evaluate': async ({ rolloutId }) => {
            const effects = await evaluateRollout(deps, rolloutId);
            if (effects.length) log.info({ rolloutId, effects }, 'rollout evaluated');
            return effects.map((e) => e.type);
          },
          'rollout.start-wave': async ({ rolloutId, waveIndex }) => {
            const started = await startWave(deps, rolloutId, waveIndex);
            if (started) log.info({ rolloutId, waveIndex }, 'wave started');
            return started;
          },
          'rollout.sweep': async () => sweepRollouts(deps),
        },
        common,
      ),
      createJobWorker(
        QUEUES.actionTimeouts,
        {
          'action.timeout': async ({ rolloutId, waveId }) => {
            const n = await timeOutWave(deps, rolloutId, waveId);
            return n;
          },
        },
        common,
      ),
    ],
  });
}

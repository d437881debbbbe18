import type { ContainmentDeps } from '../containment/deps.js';
import { containmentStep } from './containment-executor.js';
import type { PlaybookDeps } from './deps.js';
import type { StepExecutors } from './executors.js';
import { notifyWebhookStep } from './notify-executor.js';
import { emergencyRolloutStep } from './patch-executor.js';

/**
 * The executors a worker runs steps with, each calling the use-case that owns the action with
 * the step's idempotency key. Step types without an executor here fail (not retried).
 */
export function createStepExecutors(
  deps: PlaybookDeps,
  opts: { evaluateDebounceMs: number; containment: Pick<ContainmentDeps, 'redisPrefix' | 'pubsub' | 'managementAllow'> },
): StepExecutors {
  const containment: ContainmentDeps = { ...deps, ...opts.containment };
  return {
    quarantine: (x) => containmentStep(containment, x),
    isolate_segment: (x) => containmentStep(containment, x),
    block_destination: (x) => containmentStep(containment, x),
    rotate_credentials: (x) => containmentStep(containment, x),
    emergency_rollout: (x) => emergencyRolloutStep({ ...deps, evaluateDebounceMs: opts.evaluateDebounceMs }, x),
    notify_webhook: (x) => notifyWebhookStep(deps, x),
  };
}

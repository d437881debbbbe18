import type { JobQueue } from '@warden/contracts';
import type { CoreDeps } from '../context.js';

/** What rollout use-cases need besides the database: the job queue that wakes the orchestrator. */
export interface RolloutDeps extends CoreDeps {
  jobs: JobQueue;
  /** Feedback within this window wakes the orchestrator once. */
  evaluateDebounceMs: number;
}

/**
 * Asks the orchestrator to look at a rollout soon. Many wake-ups within the debounce window become
 * one job; the job runs after the window, so it sees every change committed before the wake-up.
 */
export async function wakeOrchestrator(deps: Pick<RolloutDeps, 'jobs' | 'evaluateDebounceMs'>, rolloutId: string): Promise<void> {
  const ttlMs = Math.max(1, deps.evaluateDebounceMs);
  await deps.jobs.enqueue('rollout.evaluate', { rolloutId }, { delayMs: deps.evaluateDebounceMs, dedupe: { key: `evaluate.${rolloutId}`, ttlMs } });
}

import { createWorkerService } from '@warden/worker/service';
import { testConfig } from '@warden/testing';
import type { Stack } from './harness.js';

/**
 * The real worker beside a console stack (same database and Redis prefix): rollouts, playbook
 * runs, containment delivery and webhooks run as in production.
 */
export async function startWorker(stack: Stack): Promise<{ stop(): Promise<void> }> {
  const worker = createWorkerService(testConfig({ ...stack.env, LOG_LEVEL: 'silent' }));
  await worker.start();
  return { stop: () => worker.stop() };
}

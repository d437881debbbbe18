import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS } from '@warden/contracts';
import { createPlaybook, startPlaybookRun, type PlaybookRun } from '@warden/core/playbooks';
import { createWebhookSubscription } from '@warden/core/webhooks';
import { spawnWorker, startWebhookReceiver, stopWorker, type WebhookReceiver } from '@warden/testing';
import { eventually, startPlaybookHarness, type PlaybookHarness } from './harness.js';

/**
 * Killing the worker (SIGKILL, no goodbye) between two steps and in the middle of one: the run
 * resumes on a new worker process, never repeats a completed step, and re-runs the interrupted
 * one under the same idempotency key (its webhook carries the same event id).
 */
let h: PlaybookHarness;
let fast: WebhookReceiver;
let slow: WebhookReceiver;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  // A quick sweep: a run whose job was lost (killed twice in one step) is picked up within seconds.
  h = await startPlaybookHarness({ WEBHOOK_TIMEOUT_MS: '3000', PLAYBOOK_SWEEP_SECONDS: '2' });
  fast = await startWebhookReceiver();
  slow = await startWebhookReceiver({ delayMs: 2500 });
  const admin = await h.person('ADMIN');
  fast.trust((await createWebhookSubscription(h.deps, admin, { name: 'fast', url: `${fast.url}/h`, events: ['playbook.a', 'playbook.c'] })).secret);
  slow.trust((await createWebhookSubscription(h.deps, admin, { name: 'slow', url: `${slow.url}/h`, events: ['playbook.b'] })).secret);
}, 60_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await fast?.close();
  await slow?.close();
  await h?.close();
});

describe('worker crash mid-run', () => {
  it('resumes after restarts without repeating a completed step', async () => {
    const admin = await h.person('ADMIN');
    const responder = await h.person('RESPONDER');
    const pb = await createPlaybook(h.deps, admin, {
      source: `name: crash-safe
steps:
  - { id: a, type: notify_webhook, event: playbook.a }
  - { id: wait-1, type: wait, duration: 1500ms }
  - { id: b, type: notify_webhook, event: playbook.b }
  - { id: wait-2, type: wait, duration: 500ms }
  - { id: c, type: notify_webhook, event: playbook.c }
`,
    });
    worker = await spawnWorker(h.env);
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    const state = async () => (await h.tdb.db.playbookRun.findUniqueOrThrow({ where: { id: r.id } })).state as unknown as PlaybookRun;
    const statusOf = async (id: string) => (await state()).steps.find((s) => s.plan.id === id)!.status;

    // Between steps: step a is done, the run waits (its wake-up is a delayed job in Redis).
    await eventually(async () => (await statusOf('wait-1')) === 'WAITING', 'the first wait');
    await stopWorker(worker, 'SIGKILL');
    worker = await spawnWorker(h.env);

    // Mid-step: the webhook of step b is in flight when the worker dies.
    await eventually(async () => slow.received.length === 1, 'step b in flight');
    expect(await statusOf('b')).toBe('RUNNING');
    await stopWorker(worker, 'SIGKILL');
    worker = await spawnWorker(h.env);

    await eventually(async () => (await h.tdb.db.playbookRun.findUniqueOrThrow({ where: { id: r.id } })).status === 'SUCCEEDED', 'the run to finish', 60_000);
    const done = await state();
    expect(Object.fromEntries(done.steps.map((s) => [s.plan.id, [s.status, s.attempts]]))).toEqual({
      a: ['SUCCEEDED', 1],
      'wait-1': ['SUCCEEDED', 0],
      b: ['SUCCEEDED', 2],
      'wait-2': ['SUCCEEDED', 0],
      c: ['SUCCEEDED', 1],
    });
    // Completed steps were not repeated; the interrupted one was sent again under the same event id.
    expect(fast.received.map((x) => x.body.type)).toEqual(['playbook.a', 'playbook.c']);
    expect(slow.received.length).toBe(2);
    expect(new Set(slow.received.map((x) => x.headers[WEBHOOK_HEADERS.eventId]))).toEqual(new Set([done.steps[2]!.plan.idempotencyKey]));
    expect([...fast.received, ...slow.received].every((x) => x.verified)).toBe(true);
    expect(await h.tdb.db.playbookStepEffect.count({ where: { runId: r.id } })).toBe(3);
    const succeeded = await h.tdb.db.incidentTimelineEntry.findMany({ where: { incidentId: r.incidentId, data: { path: ['event'], equals: 'STEP_SUCCEEDED' } } });
    expect(succeeded.map((e) => (e.data as { stepId: string }).stepId).sort()).toEqual(['a', 'b', 'c', 'wait-1', 'wait-2']);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import type { IncidentSnapshot } from './conditions.js';
import { parsePlaybook } from './parse.js';
import { planPlaybook } from './planner.js';
import { advanceRun, applyRunEvent, startRun, type PlaybookRun, type RunAction } from './run-state.js';
import { NOW, WORM_PLAYBOOK, incident, resolved } from './test-fixtures.js';

const plan = planPlaybook(parsePlaybook(WORM_PLAYBOOK), incident(), resolved(), 'run-1', NOW);
const store = (r: PlaybookRun) => JSON.parse(JSON.stringify(r)) as PlaybookRun;

/**
 * A worker: asks what to do, "executes" by recording the key, and stores the run after every
 * transition. `crashAfterStart` stops it after STEP_STARTED of that step (before success is stored).
 */
function work(start: PlaybookRun, opts: { snapshot?: IncidentSnapshot; now?: number; executed: string[]; crashAfterStart?: string; fail?: (id: string, attempt: number) => boolean }) {
  let run = store(start);
  const now = opts.now ?? NOW;
  for (let i = 0; i < 100; i++) {
    const r = advanceRun(run, opts.snapshot ?? incident(), now);
    run = store(r.run);
    const action: RunAction = r.action;
    if (action.kind !== 'EXECUTE') return { run, action };
    run = store(applyRunEvent(run, { type: 'STEP_STARTED', index: action.index, at: now }));
    if (action.step.id === opts.crashAfterStart) return { run, action: null };
    opts.executed.push(action.idempotencyKey);
    if (opts.fail?.(action.step.id, action.attempt)) run = store(applyRunEvent(run, { type: 'STEP_FAILED', index: action.index, at: now, error: 'connector down', retryable: true }));
    else run = store(applyRunEvent(run, { type: 'STEP_SUCCEEDED', index: action.index, at: now, result: { touched: action.step.touches.devices.length } }));
  }
  throw new Error('the run did not settle');
}

const statuses = (run: PlaybookRun) => Object.fromEntries(run.steps.map((s) => [s.plan.id, s.status]));

describe('playbook runs', () => {
  it('runs the action steps in order and stops for approval', () => {
    const executed: string[] = [];
    const { run, action } = work(startRun(plan, 'user:alice', NOW), { executed });
    expect(executed).toEqual(plan.steps.slice(0, 3).map((s) => s.idempotencyKey));
    expect(action).toEqual({ kind: 'AWAIT_APPROVAL', index: 3, deadline: NOW + 1_800_000 });
    expect(run.status).toBe('AWAITING_APPROVAL');
  });

  it('goes on after approval, waits for containment, skips a false condition and finishes', () => {
    const executed: string[] = [];
    let { run } = work(startRun(plan, 'user:alice', NOW), { executed });
    run = applyRunEvent(run, { type: 'APPROVED', index: 3, at: NOW + 1000, by: 'user:bob' });
    const waiting = work(run, { executed, now: NOW + 2000 });
    expect(waiting.action).toEqual({ kind: 'WAIT', until: NOW + 2000 + 3_600_000, index: 5 });
    const done = work(waiting.run, { executed, now: NOW + 60_000, snapshot: incident({ status: 'CONTAINED' }) });
    expect(done.action).toEqual({ kind: 'DONE', status: 'SUCCEEDED' });
    expect(statuses(done.run)).toEqual({
      'quarantine-infected': 'SUCCEEDED', rotate: 'SUCCEEDED', 'block-c2': 'SUCCEEDED', 'approve-patch': 'SUCCEEDED', patch: 'SUCCEEDED',
      'wait-contained': 'SUCCEEDED', 'isolate-if-spreading': 'SKIPPED', 'tell-soc': 'SUCCEEDED',
    });
    expect(done.run.steps[3]!.decidedBy).toBe('user:bob');
    expect(executed).toHaveLength(5);
    expect(done.run.log.map((l) => l.event)).toContain('RUN_SUCCEEDED');
  });

  it('resumes after a crash without repeating completed steps; the interrupted step reruns under the same key', () => {
    const executed: string[] = [];
    const crashed = work(startRun(plan, 'user:alice', NOW), { executed, crashAfterStart: 'block-c2' });
    expect(statuses(crashed.run)['block-c2']).toBe('RUNNING');
    const resumed = advanceRun(crashed.run, incident(), NOW + 5000);
    expect(resumed.action).toMatchObject({ kind: 'EXECUTE', index: 2, resumed: true, attempt: 2, idempotencyKey: plan.steps[2]!.idempotencyKey });
    const after = work(crashed.run, { executed, now: NOW + 5000 });
    expect(executed).toEqual(plan.steps.slice(0, 3).map((s) => s.idempotencyKey));
    expect(after.action).toMatchObject({ kind: 'AWAIT_APPROVAL' });
  });

  it('ignores a redelivered completion and refuses contradictory reports', () => {
    const executed: string[] = [];
    const { run } = work(startRun(plan, 'user:alice', NOW), { executed });
    expect(applyRunEvent(run, { type: 'STEP_SUCCEEDED', index: 0, at: NOW })).toBe(run);
    expect(() => applyRunEvent(run, { type: 'APPROVED', index: 2, at: NOW, by: 'user:bob' })).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => applyRunEvent(run, { type: 'STEP_SUCCEEDED', index: 3, at: NOW })).toThrow(/approve-patch is AWAITING_APPROVAL/);
    const approved = applyRunEvent(run, { type: 'APPROVED', index: 3, at: NOW, by: 'user:bob' });
    expect(applyRunEvent(approved, { type: 'APPROVED', index: 3, at: NOW, by: 'user:carol' })).toBe(approved);
  });

  it('retries a failing step with backoff, then aborts the run (or continues when the step says so)', () => {
    const executed: string[] = [];
    const first = work(startRun(plan, 'user:alice', NOW), { executed, fail: (id) => id === 'quarantine-infected' });
    expect(first.action).toEqual({ kind: 'WAIT', until: NOW + 5000, index: 0 });
    const second = work(first.run, { executed, now: NOW + 5000, fail: (id) => id === 'quarantine-infected' });
    expect(second.action).toEqual({ kind: 'WAIT', until: NOW + 5000 + 20_000, index: 0 });
    const third = work(second.run, { executed, now: NOW + 25_000, fail: (id) => id === 'quarantine-infected' });
    expect(third.action).toEqual({ kind: 'DONE', status: 'FAILED' });
    expect(executed).toEqual(Array(3).fill(plan.steps[0]!.idempotencyKey));
    expect(third.run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 3, error: 'connector down' });

    const webhookOnly = planPlaybook(parsePlaybook({ name: 'n', steps: [{ id: 'hook', type: 'notify_webhook', url: 'https://x.example', secret: 's', onFailure: 'continue', maxAttempts: 1 }, { id: 'w', type: 'wait', duration: '1s' }] }), incident(), resolved(), 'run-9', NOW);
    const out = work(startRun(webhookOnly, 'user:alice', NOW), { executed: [], fail: () => true });
    expect(statuses(out.run)).toEqual({ hook: 'FAILED', w: 'WAITING' });
  });

  it('fails on a rejected approval, a timed-out approval or a wait-until that times out', () => {
    const { run } = work(startRun(plan, 'user:alice', NOW), { executed: [] });
    const rejected = applyRunEvent(run, { type: 'REJECTED', index: 3, at: NOW, by: 'user:bob', reason: 'not now' });
    expect(rejected.status).toBe('FAILED');
    expect(advanceRun(rejected, incident(), NOW).action).toEqual({ kind: 'DONE', status: 'FAILED' });
    expect(advanceRun(run, incident(), NOW + 1_800_000).action).toEqual({ kind: 'DONE', status: 'FAILED' });
    const approved = applyRunEvent(run, { type: 'APPROVED', index: 3, at: NOW, by: 'user:bob' });
    const waiting = work(approved, { executed: [], now: NOW });
    expect(work(waiting.run, { executed: [], now: NOW + 3_600_001 }).action).toEqual({ kind: 'DONE', status: 'FAILED' });
  });

  it('re-checks a step condition when the step comes up', () => {
    const executed: string[] = [];
    let { run } = work(startRun(plan, 'user:alice', NOW), { executed });
    run = applyRunEvent(run, { type: 'APPROVED', index: 3, at: NOW, by: 'user:bob' });
    const spreading = incident({ status: 'CONTAINED', blastRadius: { 1: 20, 2: 0, 3: 0, 4: 0 } });
    const done = work(run, { executed, snapshot: spreading });
    // The plan found nothing to isolate only because the condition was false then; it still holds its targets.
    expect(statuses(done.run)['isolate-if-spreading']).toBe('SUCCEEDED');
  });

  it('stops at an approval that times out even when the step would let a failure pass', () => {
    const pb = parsePlaybook({ name: 'a', steps: [{ id: 'ok', type: 'require_approval', message: 'go?', timeout: '10m', onFailure: 'continue' }, { id: 'q', type: 'quarantine', targets: 'incident.devices' }] });
    const run = startRun(planPlaybook(pb, incident(), resolved(), 'run-a', NOW), 'user:alice', NOW);
    const waiting = advanceRun(run, incident(), NOW);
    expect(waiting.action.kind).toBe('AWAIT_APPROVAL');
    const late = advanceRun(waiting.run, incident(), NOW + 600_000);
    expect(late.action).toEqual({ kind: 'DONE', status: 'FAILED' });
    expect(statuses(late.run)).toEqual({ ok: 'FAILED', q: 'PENDING' });
  });

  it('stops on cancel and stays canceled', () => {
    const { run } = work(startRun(plan, 'user:alice', NOW), { executed: [] });
    const canceled = applyRunEvent(run, { type: 'CANCELED', at: NOW, by: 'user:bob', reason: 'false positive' });
    expect(advanceRun(canceled, incident(), NOW).action).toEqual({ kind: 'DONE', status: 'CANCELED' });
    expect(applyRunEvent(canceled, { type: 'CANCELED', at: NOW, by: 'user:carol' })).toBe(canceled);
    expect(() => applyRunEvent(canceled, { type: 'APPROVED', index: 3, at: NOW, by: 'user:bob' })).toThrow(/CANCELED/);
  });
});

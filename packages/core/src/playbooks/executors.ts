import type { Incident } from '@warden/db';
import type { Actor } from '../auth/roles.js';
import type { PlannedStep } from './planner.js';
import type { PlaybookRun } from './run-state.js';
import type { PlaybookStep, StepType } from './schema.js';

/** Step types that act (waits and approvals are handled by the run itself). */
export type ActingStepType = Exclude<StepType, 'wait' | 'require_approval'>;

/** Everything an executor needs to carry out one step of one run, once. */
export interface StepExecution<T extends ActingStepType = ActingStepType> {
  runId: string;
  playbook: string;
  incident: Incident;
  /** The step as planned: `touches` is exactly what to act on. */
  planned: PlannedStep & { step: Extract<PlaybookStep, { type: T }> };
  /**
   * Deterministic per run and step. Executors pass it to the use-case they call (containment's
   * `requestKey`, emergency patch's `idempotencyKey`), so a step that runs again after a crash
   * returns what the first attempt did instead of acting twice.
   */
  idempotencyKey: string;
  attempt: number;
  /** The run state when the step started (for notifications). */
  run: PlaybookRun;
  /** The run acting: a SYSTEM actor named `playbook-run:<id>` with the RESPONDER role. */
  actor: Actor;
  /** Why, for containment records and audit rows: "playbook worm-outbreak, step quarantine (incident …)". */
  reason: string;
}

/** What a step did: one line for the timeline, and facts for the run's record. */
export interface StepEffect {
  summary: string;
  result: Record<string, unknown>;
}

/**
 * Carries out acting steps. A missing executor fails the step (not retried) rather than
 * pretending; an executor throws a `WardenError` for a failure retrying cannot fix (bad input,
 * not found, forbidden, conflict) and anything else for one it may.
 */
export type StepExecutors = { [T in ActingStepType]?: (x: StepExecution<T>) => Promise<StepEffect> };

/** The actor a run's steps act as. */
export const runActor = (runId: string): Actor => ({ type: 'SYSTEM', id: null, name: `playbook-run:${runId}`, role: 'RESPONDER' });

import type { RolloutStatus, UpdateActionStatus, WaveStatus } from '@warden/db';
import { ConflictError } from '../errors.js';

/**
 * The rollout, wave and action state machines. Pure: every transition the product makes is listed
 * here, and every use-case asks here before it changes a status.
 */
export type RolloutOp = 'approve' | 'start' | 'pause' | 'resume' | 'cancel' | 'abort' | 'complete' | 'retry' | 'rollback';

const ROLLOUT: Record<RolloutOp, { from: readonly RolloutStatus[]; to: RolloutStatus | null }> = {
  approve: { from: ['WAITING_APPROVAL'], to: 'READY' },
  start: { from: ['READY'], to: 'RUNNING' },
  pause: { from: ['RUNNING'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'RUNNING' },
  cancel: { from: ['WAITING_APPROVAL', 'READY', 'RUNNING', 'PAUSED'], to: 'CANCELED' },
  /** The error threshold was reached (system). */
  abort: { from: ['RUNNING'], to: 'ABORTED' },
  /** Every wave succeeded (system). */
  complete: { from: ['RUNNING'], to: 'SUCCEEDED' },
  retry: { from: ['RUNNING', 'PAUSED', 'SUCCEEDED'], to: 'RUNNING' },
  /** Rolling back needs the rollout to be at rest; it stays as it is. */
  rollback: { from: ['PAUSED', 'SUCCEEDED', 'ABORTED', 'CANCELED'], to: null },
};

export const FINAL_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['SUCCEEDED', 'ABORTED', 'CANCELED'];

export function canTransition(status: RolloutStatus, op: RolloutOp): boolean {
  return ROLLOUT[op].from.includes(status);
}

/** The status after `op`, or a ConflictError that says why not. */
export function rolloutTransition(status: RolloutStatus, op: RolloutOp): RolloutStatus {
  const t = ROLLOUT[op];
  if (!t.from.includes(status)) {
    throw new ConflictError(`cannot ${op} a rollout that is ${status.toLowerCase().replace('_', ' ')} (allowed from ${t.from.join(', ')})`, {
      status,
      op,
    });
  }
  return t.to ?? status;
}

const WAVE: Record<WaveStatus, readonly WaveStatus[]> = {
  PLANNED: ['RUNNING', 'CANCELED'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELED'],
  SUCCEEDED: ['PLANNED'], // retry of failed devices
  FAILED: ['PLANNED', 'CANCELED'],
  CANCELED: [],
};

export function waveCanMove(from: WaveStatus, to: WaveStatus): boolean {
  return WAVE[from].includes(to);
}

/** Actions a device may still act on (and that hold the device's one active slot). */
export const ACTIVE_ACTION_STATUSES = ['SCHEDULED', 'RETRIEVED', 'DOWNLOAD', 'DOWNLOADED', 'RUNNING', 'WARNING', 'CANCELING'] as const satisfies readonly UpdateActionStatus[];
export const OPEN_ACTION_STATUSES = ['PLANNED', ...ACTIVE_ACTION_STATUSES] as const satisfies readonly UpdateActionStatus[];
export const FAILED_ACTION_STATUSES = ['ERROR', 'TIMED_OUT'] as const satisfies readonly UpdateActionStatus[];
export const TERMINAL_ACTION_STATUSES = ['FINISHED', 'ERROR', 'CANCELED', 'TIMED_OUT', 'SKIPPED'] as const satisfies readonly UpdateActionStatus[];

export function isActive(s: UpdateActionStatus): boolean {
  return (ACTIVE_ACTION_STATUSES as readonly string[]).includes(s);
}
export function isTerminal(s: UpdateActionStatus): boolean {
  return (TERMINAL_ACTION_STATUSES as readonly string[]).includes(s);
}
export function isFailure(s: UpdateActionStatus): boolean {
  return (FAILED_ACTION_STATUSES as readonly string[]).includes(s);
}

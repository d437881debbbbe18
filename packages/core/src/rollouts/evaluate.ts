import type { RolloutErrorAction, UpdateActionStatus, WaveStatus } from '@warden/db';
import { isFailure, isTerminal } from './state-machine.js';

/** Pure threshold evaluation and the orchestrator's decision for one rollout. */

export type StatusCounts = Partial<Record<UpdateActionStatus, number>>;

export interface Thresholds {
  successThresholdPct: number;
  errorThresholdPct: number;
  overallErrorThresholdPct: number;
}

export interface WaveTally {
  size: number;
  succeeded: number;
  failed: number;
  terminal: number;
  open: number;
}

export function tally(counts: StatusCounts): WaveTally {
  let size = 0;
  let succeeded = 0;
  let failed = 0;
  let terminal = 0;
  for (const [status, n] of Object.entries(counts) as [UpdateActionStatus, number][]) {
    size += n;
    if (status === 'FINISHED') succeeded += n;
    if (isFailure(status)) failed += n;
    if (isTerminal(status)) terminal += n;
  }
  return { size, succeeded, failed, terminal, open: size - terminal };
}

/** Failures that trip an error threshold of `pct`% of `size` devices: at least one. */
export function failureLimit(size: number, pct: number): number {
  return Math.max(1, Math.ceil((size * pct) / 100));
}

/** Successes a wave needs to let the next one start. */
export function successNeeded(size: number, pct: number): number {
  return Math.ceil((size * pct) / 100);
}

export interface WaveState {
  index: number;
  status: WaveStatus;
  succeededAt: Date | null;
  counts: StatusCounts;
}

export interface RolloutState extends Thresholds {
  errorAction: RolloutErrorAction;
  waveDelaySeconds: number;
  emergency: boolean;
  /** Devices in the rollout (all waves). */
  totalTargets: number;
  waves: WaveState[];
}

export type Effect =
  | { type: 'wave-succeeded'; waveIndex: number }
  | { type: 'wave-finished'; waveIndex: number; status: 'SUCCEEDED' | 'FAILED' }
  | { type: 'start-wave'; waveIndex: number; delayMs: number }
  | { type: 'pause'; reason: string }
  | { type: 'abort'; reason: string }
  | { type: 'complete' };

/**
 * What a running rollout should do now. Thresholds are checked first (per wave, then overall), so a
 * rollout stops at the very failure that reaches a threshold; then waves that met their success
 * threshold let the next wave start (after the wave delay, none in emergency mode).
 */
export function decide(r: RolloutState, now: Date): Effect[] {
  const effects: Effect[] = [];
  const tallies = r.waves.map((w) => tally(w.counts));
  const stop = (reason: string): Effect => (r.errorAction === 'PAUSE' ? { type: 'pause', reason } : { type: 'abort', reason });

  for (const [i, w] of r.waves.entries()) {
    const t = tallies[i]!;
    if (w.status !== 'RUNNING' || t.size === 0) continue;
    const limit = failureLimit(t.size, r.errorThresholdPct);
    if (t.failed >= limit) {
      return [
        { type: 'wave-finished', waveIndex: w.index, status: 'FAILED' },
        stop(`${w.index === 0 ? 'first wave' : `wave ${w.index + 1}`}: ${t.failed} of ${t.size} devices failed (error threshold ${r.errorThresholdPct}% = ${limit})`),
      ];
    }
  }
  const failedOverall = tallies.reduce((s, t) => s + t.failed, 0);
  const overallLimit = failureLimit(r.totalTargets, r.overallErrorThresholdPct);
  if (r.totalTargets > 0 && failedOverall >= overallLimit) {
    return [stop(`${failedOverall} of ${r.totalTargets} devices failed (overall error threshold ${r.overallErrorThresholdPct}% = ${overallLimit})`)];
  }

  const delayMs = r.emergency ? 0 : r.waveDelaySeconds * 1000;
  let previousMet = true;
  let previousMetAt: Date | null = null;
  for (const [i, w] of r.waves.entries()) {
    const t = tallies[i]!;
    const met = t.succeeded >= successNeeded(t.size, r.successThresholdPct);
    if (w.status === 'PLANNED') {
      if (previousMet) {
        const wait = previousMetAt ? Math.max(0, previousMetAt.getTime() + delayMs - now.getTime()) : 0;
        effects.push({ type: 'start-wave', waveIndex: w.index, delayMs: wait });
      }
      break; // waves start one after another
    }
    if (w.status === 'RUNNING') {
      let metAt = w.succeededAt;
      if (met && !metAt) {
        effects.push({ type: 'wave-succeeded', waveIndex: w.index });
        metAt = now;
      }
      if (t.open === 0) {
        if (met) effects.push({ type: 'wave-finished', waveIndex: w.index, status: 'SUCCEEDED' });
        else {
          effects.push({
            type: 'pause',
            reason: `wave ${w.index + 1} ended with ${t.succeeded} of ${t.size} devices updated, below the success threshold of ${r.successThresholdPct}%`,
          });
          return effects;
        }
      }
      previousMet = met;
      previousMetAt = metAt;
      continue;
    }
    // SUCCEEDED / FAILED / CANCELED waves: a succeeded wave lets the next start.
    previousMet = w.status === 'SUCCEEDED';
    previousMetAt = w.succeededAt;
  }

  const allDone = r.waves.every((w, i) => {
    if (w.status === 'SUCCEEDED' || w.status === 'CANCELED') return true;
    return effects.some((e) => e.type === 'wave-finished' && e.waveIndex === w.index && e.status === 'SUCCEEDED') && tallies[i]!.open === 0;
  });
  if (allDone && r.waves.length > 0) effects.push({ type: 'complete' });
  return effects;
}

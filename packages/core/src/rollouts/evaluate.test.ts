import { describe, expect, it } from 'vitest';
import { decide, failureLimit, type RolloutState, type WaveState } from './evaluate.js';

const now = new Date('2026-11-25T10:00:00Z');
const base = (waves: WaveState[], over: Partial<RolloutState> = {}): RolloutState => ({
  successThresholdPct: 90,
  errorThresholdPct: 10,
  overallErrorThresholdPct: 50,
  errorAction: 'ABORT',
  waveDelaySeconds: 60,
  emergency: false,
  totalTargets: waves.reduce((s, w) => s + Object.values(w.counts).reduce((a, b) => a + (b ?? 0), 0), 0),
  waves,
  ...over,
});
const wave = (index: number, status: WaveState['status'], counts: WaveState['counts'], succeededAt: Date | null = null): WaveState => ({
  index,
  status,
  counts,
  succeededAt,
});

describe('failureLimit', () => {
  it('is the share of the wave rounded up, and at least one device', () => {
    expect(failureLimit(20, 10)).toBe(2);
    expect(failureLimit(18, 10)).toBe(2);
    expect(failureLimit(100, 0)).toBe(1);
  });
});

describe('decide', () => {
  it('starts the first wave at once', () => {
    expect(decide(base([wave(0, 'PLANNED', { PLANNED: 2 }), wave(1, 'PLANNED', { PLANNED: 18 })]), now)).toEqual([
      { type: 'start-wave', waveIndex: 0, delayMs: 0 },
    ]);
  });

  it('aborts exactly when failures reach the wave threshold, not one before', () => {
    const below = decide(base([wave(0, 'RUNNING', { FINISHED: 10, ERROR: 1, RUNNING: 9 }), wave(1, 'PLANNED', { PLANNED: 80 })]), now);
    expect(below.some((e) => e.type === 'abort' || e.type === 'pause')).toBe(false);
    const at = decide(base([wave(0, 'RUNNING', { FINISHED: 10, ERROR: 1, TIMED_OUT: 1, RUNNING: 8 }), wave(1, 'PLANNED', { PLANNED: 80 })]), now);
    expect(at).toEqual([
      { type: 'wave-finished', waveIndex: 0, status: 'FAILED' },
      expect.objectContaining({ type: 'abort', reason: expect.stringContaining('2 of 20') }),
    ]);
  });

  it('pauses instead of aborting when the rollout says so', () => {
    const effects = decide(base([wave(0, 'RUNNING', { ERROR: 2, FINISHED: 18 })], { errorAction: 'PAUSE' }), now);
    expect(effects.at(-1)).toMatchObject({ type: 'pause' });
  });

  it('stops on the overall threshold across waves', () => {
    const effects = decide(
      base([wave(0, 'SUCCEEDED', { FINISHED: 9, ERROR: 1 }, now), wave(1, 'RUNNING', { FINISHED: 9, ERROR: 1 })], {
        overallErrorThresholdPct: 10,
        errorThresholdPct: 50,
      }),
      now,
    );
    expect(effects).toEqual([expect.objectContaining({ type: 'abort', reason: expect.stringContaining('overall') })]);
  });

  it('lets the next wave start after the delay once the success threshold is met', () => {
    const effects = decide(base([wave(0, 'RUNNING', { FINISHED: 18, RUNNING: 2 }), wave(1, 'PLANNED', { PLANNED: 80 })]), now);
    expect(effects).toEqual([
      { type: 'wave-succeeded', waveIndex: 0 },
      { type: 'start-wave', waveIndex: 1, delayMs: 60_000 },
    ]);
  });

  it('skips the delay in emergency mode but keeps thresholds', () => {
    const ok = decide(base([wave(0, 'RUNNING', { FINISHED: 18, RUNNING: 2 }), wave(1, 'PLANNED', { PLANNED: 80 })], { emergency: true }), now);
    expect(ok).toContainEqual({ type: 'start-wave', waveIndex: 1, delayMs: 0 });
    const bad = decide(base([wave(0, 'RUNNING', { FINISHED: 18, ERROR: 2 })], { emergency: true }), now);
    expect(bad.at(-1)).toMatchObject({ type: 'abort' });
  });

  it('does not start the next wave before the success threshold', () => {
    const effects = decide(base([wave(0, 'RUNNING', { FINISHED: 17, RUNNING: 3 }), wave(1, 'PLANNED', { PLANNED: 80 })]), now);
    expect(effects).toEqual([]);
  });

  it('pauses when a wave ends below the success threshold without reaching the error threshold', () => {
    const effects = decide(base([wave(0, 'RUNNING', { FINISHED: 17, CANCELED: 3 })]), now);
    expect(effects.at(-1)).toMatchObject({ type: 'pause', reason: expect.stringContaining('below the success threshold') });
  });

  it('completes when the last wave finishes', () => {
    const effects = decide(base([wave(0, 'SUCCEEDED', { FINISHED: 2 }, now), wave(1, 'RUNNING', { FINISHED: 18 }, now)]), now);
    expect(effects).toEqual([{ type: 'wave-finished', waveIndex: 1, status: 'SUCCEEDED' }, { type: 'complete' }]);
  });
});

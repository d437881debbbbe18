import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Samples, round } from './samples.js';

/**
 * One timer for the whole office: a hashed timing wheel. Tens of thousands of devices each with a
 * poll and a report schedule cost one `setTimeout` per tick, not one timer per device, and adding
 * a task is O(1). Every task run records its lag (how late it started against when it was due),
 * which is how the simulator tells whether it keeps up.
 */
export interface Task {
  /** When it is due (ms on the scheduler's clock). */
  due: number;
  run: (due: number) => void;
  /** Absolute tick the task belongs to. */
  tick: number;
}

export interface LagStats {
  /** Tasks run since the start. */
  ran: number;
  /** Tasks waiting. */
  pending: number;
  /** Lag of recent task runs (ms): how late after their due time they started. */
  p50: number;
  p99: number;
  max: number;
  /** Event-loop delay p99 (ms) since the last reset. */
  loopDelayP99: number;
}

export interface SchedulerOptions {
  /** Wheel resolution in ms (tasks start at most this late when the loop is idle). */
  tickMs?: number;
  /** Slots in the wheel; tasks further out than slots × tickMs wait for later turns. */
  slots?: number;
  /** Lag samples kept for the percentiles. */
  window?: number;
  clock?: () => number;
}

export class Scheduler {
  readonly tickMs: number;
  private readonly slots: Task[][];
  private readonly clock: () => number;
  private readonly origin: number;
  /** Next tick to process. */
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private turning = false;
  private count = 0;
  private readonly lags: Samples;
  private readonly loop: IntervalHistogram;

  constructor(opts: SchedulerOptions = {}) {
    this.tickMs = opts.tickMs ?? 10;
    this.slots = Array.from({ length: opts.slots ?? 4096 }, () => []);
    this.clock = opts.clock ?? (() => performance.now());
    this.origin = this.clock();
    this.lags = new Samples(opts.window ?? 20_000);
    this.loop = monitorEventLoopDelay({ resolution: 10 });
  }

  now(): number {
    return this.clock();
  }

  /** Runs `run` at `due` (ms on {@link now}'s clock); a time in the past runs on the next tick. */
  at(due: number, run: (due: number) => void): void {
    // While a tick is being processed its slot is spoken for: a task due now goes to the next one.
    const tick = Math.max(this.cursor + (this.turning ? 1 : 0), Math.floor((due - this.origin) / this.tickMs));
    this.slots[tick % this.slots.length]!.push({ due, run, tick });
    this.count++;
  }

  /** Runs `run` after `delayMs`. */
  after(delayMs: number, run: (due: number) => void): void {
    this.at(this.clock() + delayMs, run);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.cursor = Math.max(this.cursor, Math.floor((this.clock() - this.origin) / this.tickMs));
    this.loop.enable();
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.loop.disable();
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.origin + this.cursor * this.tickMs;
    this.timer = setTimeout(() => this.turn(), Math.max(0, next - this.clock()));
  }

  /** Processes every tick up to now (several after a stall: nothing is skipped, it only runs late). */
  private turn(): void {
    const nowTick = Math.floor((this.clock() - this.origin) / this.tickMs);
    this.turning = true;
    while (this.cursor <= nowTick && this.running) {
      const index = this.cursor % this.slots.length;
      const slot = this.slots[index]!;
      if (slot.length) {
        // Tasks scheduled while this slot runs land in a fresh array (or a later slot).
        this.slots[index] = [];
        let kept: Task[] | null = null;
        for (const task of slot) {
          if (task.tick > this.cursor) {
            (kept ??= []).push(task);
            continue;
          }
          this.count--;
          this.lags.add(Math.max(0, this.clock() - task.due));
          try {
            task.run(task.due);
          } catch {
            // A task's failure is its own business; the wheel keeps turning.
          }
        }
        if (kept) this.slots[index]!.push(...kept);
      }
      this.cursor++;
    }
    this.turning = false;
    this.arm();
  }

  /** Lag percentiles over the recent window; `reset` starts a new window (and a new max). */
  stats(reset = false): LagStats {
    const out: LagStats = { ran: this.lags.count, pending: this.count, ...this.lags.summary(), loopDelayP99: round(this.loop.percentile(99) / 1e6) };
    if (reset) {
      this.lags.reset();
      this.loop.reset();
    }
    return out;
  }
}

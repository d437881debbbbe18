/** A window of the most recent numeric samples (latencies, lags) with percentiles. */
export class Samples {
  private readonly values: Float64Array;
  private index = 0;
  private filled = 0;
  private maxSeen = 0;
  count = 0;

  constructor(size = 20_000) {
    this.values = new Float64Array(size);
  }

  add(v: number): void {
    this.values[this.index] = v;
    this.index = (this.index + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
    if (v > this.maxSeen) this.maxSeen = v;
    this.count++;
  }

  /** p50, p99 and max (rounded to 0.1) of the window. */
  summary(): { p50: number; p99: number; max: number } {
    const sorted = Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
    return { p50: round(pct(0.5)), p99: round(pct(0.99)), max: round(this.maxSeen) };
  }

  /** Starts a new window (and a new max). */
  reset(): void {
    this.index = 0;
    this.filled = 0;
    this.maxSeen = 0;
  }
}

export const round = (n: number) => Math.round(n * 10) / 10;

import type { Io } from '../io.js';

/** `[██████░░░░░░]  50%  500/1,000 rows  3 failed` sized to `width` columns. */
export function renderBar(done: number, total: number, width: number, suffix = '', unit = ''): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const pct = `${Math.floor(share * 100)}%`.padStart(4);
  const counts = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`;
  const tail = ` ${pct}  ${counts}${suffix ? `  ${suffix}` : ''}`;
  const barWidth = Math.max(10, Math.min(40, width - tail.length - 2));
  const filled = Math.round(share * barWidth);
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]${tail}`;
}

/**
 * A progress bar on stderr. On a terminal it redraws one line in place; otherwise (a pipe, a CI
 * log) it prints a plain line at most every tenth of the way, so logs stay readable.
 */
export function createProgress(io: Io, total: number, unit: string) {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done: number, suffix = '') {
      const text = renderBar(done, total, io.columns, suffix, unit);
      if (io.interactive) {
        io.stderr.write(`\r\u001b[2K${text}`);
        drawn = true;
        return;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        io.stderr.write(`${text}\n`);
      }
    },
    /** Ends the bar's line so what follows starts on its own. */
    done() {
      if (drawn) io.stderr.write('\n');
      drawn = false;
    },
  };
}

import { renderBar } from './progress.js';

export interface WaveProgress {
  index: number;
  name: string;
  size: number;
  status: string;
  succeeded: number;
  failed: number;
  open: number;
}

export interface RolloutProgress {
  rolloutId: string;
  status: string;
  statusReason: string | null;
  total: number;
  succeeded: number;
  failed: number;
  waves: WaveProgress[];
}

export const FINAL_STATUSES = ['SUCCEEDED', 'ABORTED', 'CANCELED'];

const pct = (n: number, of: number) => (of ? Math.floor((n / of) * 100) : 0);

/** One line for logs and pipes: `RUNNING  wave 2/4  12/200 succeeded (6%)  1 failed`. */
export function progressLine(p: RolloutProgress): string {
  const current = p.waves.find((w) => w.status === 'RUNNING') ?? [...p.waves].reverse().find((w) => w.status !== 'PLANNED');
  const wave = current ? `  wave ${current.index + 1}/${p.waves.length}` : '';
  const failed = p.failed ? `  ${p.failed} failed` : '';
  const reason = p.statusReason ? `  (${p.statusReason})` : '';
  return `${p.status}${wave}  ${p.succeeded}/${p.total} succeeded (${pct(p.succeeded, p.total)}%)${failed}${reason}`;
}

/** The block a terminal redraws: the overall line, then a bar per wave. */
export function progressBlock(name: string, p: RolloutProgress, width: number): string[] {
  const label = (w: WaveProgress) => `wave ${w.index + 1} ${w.name}`;
  const labelWidth = Math.max(...p.waves.map((w) => label(w).length), 6);
  return [
    `${name}  ${progressLine(p)}`,
    ...p.waves.map((w) => {
      const head = `  ${label(w).padEnd(labelWidth)}  ${w.status.padEnd(9)}  `;
      if (w.status === 'PLANNED') return `${head}${w.size} devices`;
      const failed = w.failed ? `${w.failed} failed` : '';
      return `${head}${renderBar(w.succeeded, w.size, width - head.length, failed)}`;
    }),
  ];
}

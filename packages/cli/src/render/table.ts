/** A column: its heading and how to read a cell from a row. */
export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
  /** Right-align (numbers). */
  right?: boolean;
  /** Free text that may be cut to fit the terminal (ids, serials and codes never are). */
  flex?: boolean;
}

/**
 * A plain-text table with aligned columns, for people; `--json` is the format for scripts.
 * When a row is wider than `maxWidth`, the widest free-text column gives way first, cut with an
 * ellipsis, so a row stays on one terminal line and ids stay whole for copying.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], maxWidth = Infinity): string {
  const cells = rows.map((r) => columns.map((c) => clean(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const gap = 2;
  let total = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const flexible = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
  while (total > maxWidth && flexible.length) {
    const widest = flexible.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
    if (widths[widest]! <= Math.max(12, columns[widest]!.header.length)) break;
    widths[widest]!--;
    total--;
  }
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const w = widths[i]!;
        const text = v.length > w ? `${v.slice(0, w - 1)}…` : v;
        return columns[i]!.right ? text.padStart(w) : text.padEnd(w);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

function clean(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  // A line break or tab in a device name must not break the table.
  return String(v).replace(/[\r\n\t]+/g, ' ');
}

/** "3 minutes ago", for last-seen columns; "-" for never. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '-';
  if (s < 0) return 'just now';
  if (s < 90) return `${s}s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

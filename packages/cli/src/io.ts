/** Where a command writes and what it knows of its terminal: the process's, or a test's capture. */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** The environment (WARDEN_URL, WARDEN_API_KEY, NO_COLOR). */
  env: Record<string, string | undefined>;
  /** stderr is a terminal: progress bars redraw in place. */
  interactive: boolean;
  /** Width tables must fit (Infinity when stdout is not a terminal). */
  columns: number;
  /** Reads a file, or standard input for "-". */
  readFile(path: string): Promise<string>;
}

export const print = (io: Io, line = '') => io.stdout.write(`${line}\n`);
export const note = (io: Io, line: string) => io.stderr.write(`${line}\n`);
export const printJson = (io: Io, value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

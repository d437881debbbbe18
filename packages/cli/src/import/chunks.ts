import { parse } from 'csv-parse/sync';
import { CliError } from '../errors.js';

/** One slice of an import file, sent as its own `importDevices` call. */
export interface ImportChunk {
  data: string;
  rows: number;
  /** Maps a line (CSV, header = 1) or item number (JSON) the API reports for this chunk to the file's own. */
  toFileLine(line: number): number;
}

/** A row refused before sending, as the API would report it. */
export interface RejectedRow {
  line: number;
  serial: string | null;
  field: string;
  message: string;
}

/** What an import sends: the chunks, the rows in them, and rows refused up front. */
export interface ImportPlan {
  chunks: ImportChunk[];
  rows: number;
  rejected: RejectedRow[];
}

/**
 * The API finds a serial repeated within one call; across chunks the second row would quietly
 * update the device the first one created. So repeats across the whole file are refused here,
 * with the API's own wording. Serials compare as the API compares them (trimmed, any case).
 */
function repeatedSerials(serials: (string | null)[], lineOf: (i: number) => number): Map<number, RejectedRow> {
  const first = new Map<string, number>();
  const repeats = new Map<number, RejectedRow>();
  serials.forEach((raw, i) => {
    const serial = raw?.trim();
    if (!serial) return;
    const seen = first.get(serial.toLowerCase());
    if (seen === undefined) first.set(serial.toLowerCase(), lineOf(i));
    else repeats.set(i, { line: lineOf(i), serial, field: 'serial', message: `duplicate of line ${seen}` });
  });
  return repeats;
}

/**
 * Splits a CSV file into chunks of at most `size` records, each led by the header row. Record
 * boundaries come from the same parser and options the API uses (csv-parse), so quoted fields
 * with line breaks stay whole, and each chunk keeps the file's physical lines (blank ones too):
 * a line the API reports for a chunk maps back to the file's line by a fixed offset. A row
 * refused up front is sent as blank lines, which the API skips. Chunks use LF line endings.
 */
export function chunkCsv(file: string, size: number): ImportPlan {
  // One line ending throughout: csv-parse counts a CRLF inside quotes as two lines.
  const text = file.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { skip_empty_lines: true, info: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    throw new CliError(`not valid CSV: ${(err as Error).message}`);
  }
  if (!records.length) throw new CliError('the file is empty: expected a header row (serial,model,…) and one row per device');
  const lines = text.split('\n');
  const headerEnd = records[0]!.info.lines;
  const serialColumn = records[0]!.record.findIndex((h) => h.trim().toLowerCase() === 'serial');
  const body = records.slice(1);
  const rejected = repeatedSerials(
    body.map((r) => (serialColumn < 0 ? null : (r.record[serialColumn] ?? null))),
    (i) => body[i]!.info.lines,
  );
  for (const i of rejected.keys()) {
    const start = i === 0 ? headerEnd : body[i - 1]!.info.lines;
    for (let l = start; l < body[i]!.info.lines; l++) lines[l] = '';
  }
  const header = lines.slice(0, headerEnd).join('\n');
  const chunks: ImportChunk[] = [];
  for (let i = 0; i < body.length; i += size) {
    const prevEnd = i === 0 ? headerEnd : body[i - 1]!.info.lines;
    const end = body[Math.min(i + size, body.length) - 1]!.info.lines;
    let rows = 0;
    for (let j = i; j < Math.min(i + size, body.length); j++) if (!rejected.has(j)) rows++;
    if (!rows) continue;
    chunks.push({ data: [header, ...lines.slice(prevEnd, end)].join('\n'), rows, toFileLine: (line) => line - headerEnd + prevEnd });
  }
  return { chunks, rows: body.length - rejected.size, rejected: [...rejected.values()] };
}

/** Splits a JSON array (or `{ "devices": [...] }`) into chunks of at most `size` items, numbered as in the file. */
export function chunkJson(text: string, size: number): ImportPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list)) throw new CliError('expected a JSON array of devices or { "devices": [...] }');
  const serialOf = (item: unknown) => {
    const s = (item as { serial?: unknown } | null)?.serial;
    return typeof s === 'string' ? s : null;
  };
  const rejected = repeatedSerials(list.map(serialOf), (i) => i + 1);
  const kept = list.map((item, i) => ({ item, number: i + 1 })).filter((_, i) => !rejected.has(i));
  const chunks: ImportChunk[] = [];
  for (let i = 0; i < kept.length; i += size) {
    const part = kept.slice(i, i + size);
    chunks.push({ data: JSON.stringify(part.map((p) => p.item)), rows: part.length, toFileLine: (n) => part[n - 1]?.number ?? n + i });
  }
  return { chunks, rows: kept.length, rejected: [...rejected.values()] };
}

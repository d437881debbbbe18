/** One slice of an import file, sent as its own `importDevices` call. */
export interface ImportChunk {
  data: string;
  rows: number;
  /** Maps a line (CSV, header = 1) or item number (JSON) reported for this chunk to the file's own. */
  toFileLine(line: number): number;
}

/**
 * Splits a CSV file into chunks of at most `size` records, each with the header row, so a large
 * import shows progress and a slow network never holds one 10 MB request. Quoted fields may hold
 * line breaks: a record ends only at a line break outside quotes. Physical lines are kept as they
 * are, so a line the api reports maps back to the file's line exactly.
 */
export function chunkCsv(text: string, size: number): ImportChunk[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerLine = lines[0] ?? '';
  const chunks: ImportChunk[] = [];
  let start = 1; // index (0-based) of the first line in the current chunk
  let records = 0;
  let inQuotes = false;
  const flush = (end: number) => {
    if (records === 0) return;
    const first = start + 1; // the file's 1-based line number of the chunk's first data line
    chunks.push({
      data: [headerLine, ...lines.slice(start, end)].join('\n'),
      rows: records,
      toFileLine: (line) => line + first - 2,
    });
    start = end;
    records = 0;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const quotes = line.split('"').length - 1;
    const wasInQuotes = inQuotes;
    if (quotes % 2 === 1) inQuotes = !inQuotes;
    if (!wasInQuotes && line.trim() === '') continue;
    if (!inQuotes) {
      records++;
      if (records === size) flush(i + 1);
    }
  }
  flush(lines.length);
  return chunks;
}

/** Splits a JSON array (or `{ "devices": [...] }`) into chunks of at most `size` items. */
export function chunkJson(text: string, size: number): ImportChunk[] {
  const doc = JSON.parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list)) throw new Error('expected a JSON array of devices or { "devices": [...] }');
  const chunks: ImportChunk[] = [];
  for (let i = 0; i < list.length; i += size) {
    const items = list.slice(i, i + size);
    chunks.push({ data: JSON.stringify(items), rows: items.length, toFileLine: (line) => line + i });
  }
  return chunks;
}

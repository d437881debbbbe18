import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { chunkCsv, chunkJson } from './chunks.js';

/** The line the API gives each row of a chunk (core/fleet/import-parse.ts parses the same way). */
const apiLines = (data: string) =>
  (parse(data, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true, relax_column_count: true }) as unknown as { record: { serial: string }; info: { lines: number } }[]).map(
    (r) => [r.record.serial, r.info.lines] as const,
  );

describe('chunkCsv', () => {
  it('repeats the header in every chunk and maps the lines the API reports back to the file', () => {
    const rows = Array.from({ length: 5 }, (_, i) => `S${i + 1},acme/cam`);
    const { chunks } = chunkCsv(['serial,model', ...rows].join('\n'), 2);
    expect(chunks.map((c) => c.rows)).toEqual([2, 2, 1]);
    expect(chunks[1]!.data).toBe('serial,model\nS3,acme/cam\nS4,acme/cam');
    // The second chunk's line 3 (its second data row) is S4, line 5 of the file.
    expect(chunks[1]!.toFileLine(3)).toBe(5);
    expect(chunks[2]!.toFileLine(2)).toBe(6);
  });

  it('keeps a quoted field with a line break in one record, and blank lines where they were', () => {
    const text = 'serial,location\r\nA,desk\r\n\r\nB,"floor 1\r\nlobby"\r\nC,desk\r\n';
    const { chunks } = chunkCsv(text, 1);
    expect(chunks.map((c) => c.rows)).toEqual([1, 1, 1]);
    expect(chunks[1]!.data).toBe('serial,location\n\nB,"floor 1\nlobby"');
    // The API numbers a row by its last line: B ends on line 5 of the file, C is on line 6.
    const fileLines = chunks.flatMap((c) => apiLines(c.data).map(([serial, line]) => [serial, c.toFileLine(line)]));
    expect(fileLines).toEqual([
      ['A', 2],
      ['B', 5],
      ['C', 6],
    ]);
  });

  it('refuses what is not CSV or has no rows, naming the problem', () => {
    expect(() => chunkCsv('serial,model\nA,"unclosed\n', 10)).toThrow(/not valid CSV: .*Quote/);
    expect(() => chunkCsv('\n\n', 10)).toThrow(/empty/);
    expect(chunkCsv('serial,model\n', 10)).toEqual({ chunks: [], rows: 0, rejected: [] });
  });
});

describe('serials repeated across chunks', () => {
  it('are refused up front with the line of the first, and sent as blank lines so the numbering holds', () => {
    const text = 'serial,model\nA,m\nB,m\n"multi\nline",m\nC,m\n a ,m\nD,m\n';
    const plan = chunkCsv(text, 2);
    expect(plan.rejected).toEqual([{ line: 7, serial: 'a', field: 'serial', message: 'duplicate of line 2' }]);
    expect(plan.rows).toBe(5);
    expect(plan.chunks.map((c) => c.rows)).toEqual([2, 2, 1]);
    expect(plan.chunks[2]!.data).toBe('serial,model\n\nD,m');
    const fileLines = plan.chunks.flatMap((c) => apiLines(c.data).map(([serial, line]) => [serial, c.toFileLine(line)]));
    expect(fileLines).toEqual([['A', 2], ['B', 3], ['multi\nline', 5], ['C', 6], ['D', 8]]);
  });

  it('in JSON too, keeping item numbers', () => {
    const plan = chunkJson(JSON.stringify([{ serial: 'a' }, { serial: 'b' }, { serial: 'A' }, { serial: 'c' }]), 2);
    expect(plan.rejected).toEqual([{ line: 3, serial: 'A', field: 'serial', message: 'duplicate of line 1' }]);
    expect(plan.chunks.map((c) => JSON.parse(c.data))).toEqual([[{ serial: 'a' }, { serial: 'b' }], [{ serial: 'c' }]]);
    expect(plan.chunks[1]!.toFileLine(1)).toBe(4);
  });
});

describe('chunkJson', () => {
  it('numbers items across chunks as the file does', () => {
    const { chunks } = chunkJson(JSON.stringify({ devices: [{ serial: 'a' }, { serial: 'b' }, { serial: 'c' }] }), 2);
    expect(chunks.map((c) => c.rows)).toEqual([2, 1]);
    expect(JSON.parse(chunks[1]!.data)).toEqual([{ serial: 'c' }]);
    expect(chunks[1]!.toFileLine(1)).toBe(3);
  });

  it('names a file that is not a list of devices', () => {
    expect(() => chunkJson('{"serial": "a"}', 2)).toThrow(/expected a JSON array/);
    expect(() => chunkJson('[{', 2)).toThrow(/not valid JSON/);
  });
});

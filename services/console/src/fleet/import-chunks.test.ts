import { describe, expect, it } from 'vitest';
import { chunkCsv, chunkJson } from './import-chunks.js';

describe('chunkCsv', () => {
  it('repeats the header in every chunk and maps reported lines back to the file', () => {
    const rows = Array.from({ length: 5 }, (_, i) => `S${i + 1},acme/cam`);
    const chunks = chunkCsv(['serial,model', ...rows].join('\n'), 2);
    expect(chunks.map((c) => c.rows)).toEqual([2, 2, 1]);
    expect(chunks[1]!.data).toBe('serial,model\nS3,acme/cam\nS4,acme/cam');
    // Line 3 of the second chunk (its second data row) is S4, line 5 of the file.
    expect(chunks[1]!.toFileLine(3)).toBe(5);
    expect(chunks[2]!.toFileLine(2)).toBe(6);
  });

  it('keeps a quoted field with a line break inside one record', () => {
    const text = 'serial,location\nA,"floor 1\nlobby"\nB,desk\nC,desk\n';
    const chunks = chunkCsv(text, 1);
    expect(chunks.map((c) => c.rows)).toEqual([1, 1, 1]);
    expect(chunks[0]!.data).toBe('serial,location\nA,"floor 1\nlobby"');
    expect(chunks[1]!.toFileLine(2)).toBe(4);
  });

  it('skips blank lines without counting them as rows', () => {
    const chunks = chunkCsv('serial\r\nA\r\n\r\nB\r\n', 10);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.rows).toBe(2);
  });
});

describe('chunkJson', () => {
  it('numbers items across chunks as the file does', () => {
    const chunks = chunkJson(JSON.stringify({ devices: [{ serial: 'a' }, { serial: 'b' }, { serial: 'c' }] }), 2);
    expect(chunks.map((c) => c.rows)).toEqual([2, 1]);
    expect(chunks[1]!.toFileLine(1)).toBe(3);
  });
});

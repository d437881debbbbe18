import { describe, expect, it } from 'vitest';
import { parseWaves } from '../commands/rollouts.js';
import { renderBar } from './progress.js';
import { progressBlock, progressLine, type RolloutProgress } from './rollout.js';
import { ago, renderTable } from './table.js';

describe('tables', () => {
  const rows = [
    { serial: 'SN-1', name: 'lobby camera', n: 3 },
    { serial: 'SN-22', name: null, n: 120 },
  ];
  const cols = [
    { header: 'SERIAL', value: (r: (typeof rows)[number]) => r.serial },
    { header: 'NAME', value: (r: (typeof rows)[number]) => r.name, flex: true },
    { header: 'N', value: (r: (typeof rows)[number]) => r.n, right: true },
  ];

  it('aligns columns, right-aligns numbers and shows a dash for nothing', () => {
    expect(renderTable(rows, cols).split('\n')).toEqual(['SERIAL  NAME            N', 'SN-1    lobby camera    3', 'SN-22   -             120']);
  });

  it('cuts free text to fit the terminal, with an ellipsis, and never an id', () => {
    const long = [{ serial: 'SN-0000000000001', name: 'camera above the lobby entrance, north side', n: 1 }];
    const lines = renderTable(long, cols, 40).split('\n');
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines[1]).toBe('SN-0000000000001  camera above the l…  1');
  });

  it('keeps a row on one line whatever the data holds', () => {
    expect(renderTable([{ serial: 'a\nb', name: 'x\ty', n: 1 }], cols).split('\n')).toHaveLength(2);
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(ago('2026-11-25T11:59:30Z', now)).toBe('30s ago');
    expect(ago('2026-11-25T11:00:00Z', now)).toBe('60m ago');
    expect(ago('2026-11-23T12:00:00Z', now)).toBe('2d ago');
    expect(ago(null, now)).toBe('-');
  });
});

describe('progress', () => {
  it('draws a bar with the share and counts, within the width', () => {
    const bar = renderBar(250, 1000, 60, '3 failed', 'rows');
    expect(bar).toMatch(/^\[█+░+\]  25%  250\/1,000 rows  3 failed$/);
    expect(bar.length).toBeLessThanOrEqual(60);
    expect(renderBar(0, 0, 60)).toContain('100%');
  });

  const progress: RolloutProgress = {
    rolloutId: 'r1',
    status: 'RUNNING',
    statusReason: null,
    total: 200,
    succeeded: 12,
    failed: 1,
    waves: [
      { index: 0, name: 'canary', size: 2, status: 'SUCCEEDED', succeeded: 2, failed: 0, open: 0 },
      { index: 1, name: '10%', size: 20, status: 'RUNNING', succeeded: 10, failed: 1, open: 9 },
      { index: 2, name: '100%', size: 178, status: 'PLANNED', succeeded: 0, failed: 0, open: 0 },
    ],
  };

  it('sums a rollout up in one line for logs', () => {
    expect(progressLine(progress)).toBe('RUNNING  wave 2/3  12/200 succeeded (6%)  1 failed');
    expect(progressLine({ ...progress, status: 'PAUSED', statusReason: 'error threshold reached' })).toContain('(error threshold reached)');
  });

  it('draws one line per wave for a terminal', () => {
    const block = progressBlock('cams', progress, 100);
    expect(block).toHaveLength(4);
    expect(block[2]).toMatch(/wave 2 10%\s+RUNNING\s+\[█+░+\]\s+50%\s+10\/20\s+1 failed/);
    expect(block[3]).toMatch(/wave 3 100%\s+PLANNED\s+178 devices/);
  });
});

describe('waves', () => {
  it('reads shares and device counts', () => {
    expect(parseWaves('1%, 10%,50%,100%')).toEqual([{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }]);
    expect(parseWaves('5,50%,100%')).toEqual([{ size: 5 }, { percent: 50 }, { percent: 100 }]);
    expect(() => parseWaves('5,half')).toThrow(/"half"/);
  });
});

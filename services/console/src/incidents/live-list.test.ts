import { describe, expect, it } from 'vitest';
import type { IncidentRow } from '../api/incidents.js';
import { applyIncidentChange, matchesFilter } from './live-list.js';

const row = (id: string, lastAlertAt: string, over: Partial<IncidentRow> = {}): IncidentRow => ({
  id,
  title: `incident ${id}`,
  rule: 'WORM_FAN_OUT',
  severity: 'HIGH',
  status: 'OPEN',
  resolution: null,
  segment: null,
  assignee: null,
  alertCount: 1,
  devices: [],
  firstAlertAt: lastAlertAt,
  lastAlertAt,
  ...over,
});
const ids = (pages: IncidentRow[][]) => pages.map((p) => p.map((i) => i.id));

describe('live incident list', () => {
  const pages = [
    [row('d', '2026-01-01T10:04:00Z'), row('c', '2026-01-01T10:03:00Z')],
    [row('b', '2026-01-01T10:02:00Z'), row('a', '2026-01-01T10:01:00Z')],
  ];

  it('puts a new incident first and moves one that got a new alert to the top', () => {
    expect(ids(applyIncidentChange(pages, row('e', '2026-01-01T10:05:00Z'), {}, false))).toEqual([['e', 'd', 'c'], ['b', 'a']]);
    expect(ids(applyIncidentChange(pages, row('b', '2026-01-01T10:06:00Z'), {}, false))).toEqual([['b', 'd', 'c'], ['a']]);
  });

  it('keeps the api order inside the loaded pages, ties broken by id', () => {
    expect(ids(applyIncidentChange(pages, row('bb', '2026-01-01T10:02:00Z'), {}, false))).toEqual([['d', 'c'], ['bb', 'b', 'a']]);
  });

  it('drops an incident that no longer matches the filter', () => {
    const closed = row('c', '2026-01-01T10:03:00Z', { status: 'CLOSED' });
    expect(ids(applyIncidentChange(pages, closed, { statuses: ['OPEN', 'TRIAGED'] }, false))).toEqual([['d'], ['b', 'a']]);
    expect(matchesFilter(row('x', 'z', { assignee: { id: 'u1', name: 'U' } }), { assigneeId: 'u2' })).toBe(false);
    expect(matchesFilter(row('x', 'z', { severity: 'LOW' }), { severities: ['HIGH', 'CRITICAL'] })).toBe(false);
  });

  it('leaves an older incident to "load more" when more pages exist, and appends it when none do', () => {
    const old = row('0', '2026-01-01T09:00:00Z');
    expect(ids(applyIncidentChange(pages, old, {}, true))).toEqual([['d', 'c'], ['b', 'a']]);
    expect(ids(applyIncidentChange(pages, old, {}, false))).toEqual([['d', 'c'], ['b', 'a', '0']]);
    expect(ids(applyIncidentChange([], old, {}, false))).toEqual([['0']]);
  });

  it('does not change the pages it was given', () => {
    applyIncidentChange(pages, row('e', '2026-01-01T10:05:00Z'), {}, false);
    expect(ids(pages)).toEqual([['d', 'c'], ['b', 'a']]);
  });
});

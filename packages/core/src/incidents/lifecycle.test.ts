import { describe, expect, it } from 'vitest';
import { canTransitionIncident, INCIDENT_STATUSES, INCIDENT_TRANSITIONS, transitionIncident, type IncidentStatus } from './lifecycle.js';

const at = Date.parse('2026-03-01T10:00:00Z');
const by = 'user:alice';

describe('incident lifecycle', () => {
  it('walks the NIST phases from OPEN to CLOSED, each step on the timeline', () => {
    const path: IncidentStatus[] = ['TRIAGED', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'];
    let status: IncidentStatus = 'OPEN';
    const summaries: string[] = [];
    for (const to of path) {
      const r = transitionIncident(status, { to, actor: by, at });
      status = r.status;
      summaries.push(r.entry.summary);
      expect(r.entry).toMatchObject({ type: 'STATUS', actor: by, at });
    }
    expect(status).toBe('CLOSED');
    expect(summaries.at(-1)).toBe('RECOVERED → CLOSED (RESOLVED)');
  });

  it('allows exactly the listed transitions', () => {
    const allowed = INCIDENT_STATUSES.flatMap((from) => INCIDENT_STATUSES.filter((to) => canTransitionIncident(from, to)).map((to) => `${from}>${to}`));
    expect(allowed.sort()).toEqual(
      [
        'OPEN>TRIAGED', 'OPEN>CLOSED', 'TRIAGED>CONTAINED', 'TRIAGED>CLOSED', 'CONTAINED>ERADICATED', 'CONTAINED>TRIAGED',
        'ERADICATED>RECOVERED', 'ERADICATED>CONTAINED', 'RECOVERED>CLOSED', 'RECOVERED>CONTAINED', 'CLOSED>OPEN',
      ].sort(),
    );
  });

  it('refuses skipping phases with a conflict naming what is allowed', () => {
    expect(() => transitionIncident('OPEN', { to: 'CONTAINED', actor: by, at })).toThrow(/cannot go from OPEN to CONTAINED; allowed: TRIAGED, CLOSED/);
    expect(() => transitionIncident('TRIAGED', { to: 'RECOVERED', actor: by, at })).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => transitionIncident('CLOSED', { to: 'CLOSED', actor: by, at, resolution: 'RESOLVED' })).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    for (const from of INCIDENT_STATUSES) expect(canTransitionIncident(from, from)).toBe(false);
    expect(Object.keys(INCIDENT_TRANSITIONS)).toEqual([...INCIDENT_STATUSES]);
  });

  it('closes an OPEN or TRIAGED incident only as not-an-incident', () => {
    expect(transitionIncident('OPEN', { to: 'CLOSED', actor: by, at, resolution: 'FALSE_POSITIVE' }).resolution).toBe('FALSE_POSITIVE');
    expect(() => transitionIncident('TRIAGED', { to: 'CLOSED', actor: by, at })).toThrow(/needs a resolution/);
    expect(() => transitionIncident('OPEN', { to: 'CLOSED', actor: by, at, resolution: 'RESOLVED' })).toThrow(/contain and recover it first/);
  });

  it('needs a reason to go back a phase or to reopen', () => {
    expect(() => transitionIncident('ERADICATED', { to: 'CONTAINED', actor: by, at })).toThrowError(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'reason' }));
    expect(transitionIncident('ERADICATED', { to: 'CONTAINED', actor: by, at, reason: 'reinfected' }).entry.summary).toBe('ERADICATED → CONTAINED: reinfected');
    expect(() => transitionIncident('CLOSED', { to: 'OPEN', actor: by, at, reason: ' ' })).toThrow(/needs a reason/);
    expect(transitionIncident('CLOSED', { to: 'OPEN', actor: by, at, reason: 'came back' }).status).toBe('OPEN');
  });
});

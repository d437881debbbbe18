import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { mapCancelFeedback, mapDeploymentFeedback } from './feedback-mapping.js';
import { inMaintenanceWindow } from './maintenance-window.js';
import { canTransition, rolloutTransition } from './state-machine.js';

describe('rollout state machine', () => {
  it('walks approval → start → pause → resume', () => {
    let s = rolloutTransition('WAITING_APPROVAL', 'approve');
    expect(s).toBe('READY');
    s = rolloutTransition(s, 'start');
    s = rolloutTransition(s, 'pause');
    expect(rolloutTransition(s, 'resume')).toBe('RUNNING');
  });

  it('refuses to start before approval and to resume a finished rollout', () => {
    expect(() => rolloutTransition('WAITING_APPROVAL', 'start')).toThrow(ConflictError);
    expect(() => rolloutTransition('SUCCEEDED', 'resume')).toThrow(/cannot resume/);
    expect(canTransition('CANCELED', 'cancel')).toBe(false);
    expect(canTransition('ABORTED', 'rollback')).toBe(true);
    expect(canTransition('RUNNING', 'rollback')).toBe(false);
  });
});

describe('DDI feedback mapping', () => {
  it('maps every execution value', () => {
    expect(mapDeploymentFeedback('closed', 'success')).toEqual({ status: 'FINISHED', closes: true });
    expect(mapDeploymentFeedback('closed', 'none')).toEqual({ status: 'FINISHED', closes: true });
    expect(mapDeploymentFeedback('closed', 'failure')).toEqual({ status: 'ERROR', closes: true });
    expect(mapDeploymentFeedback('canceled', 'none')).toEqual({ status: 'CANCELED', closes: true });
    expect(mapDeploymentFeedback('rejected', 'none')).toEqual({ status: 'WARNING', closes: false });
    expect(mapDeploymentFeedback('download', 'none').status).toBe('DOWNLOAD');
    expect(mapDeploymentFeedback('downloaded', 'none').status).toBe('DOWNLOADED');
    for (const e of ['proceeding', 'scheduled', 'resumed'] as const) expect(mapDeploymentFeedback(e, 'none').status).toBe('RUNNING');
  });

  it('maps cancel feedback: confirmed, failed or rejected', () => {
    expect(mapCancelFeedback('closed', 'success')).toEqual({ status: 'CANCELED', closes: true });
    expect(mapCancelFeedback('closed', 'failure')).toEqual({ status: 'RUNNING', closes: false });
    expect(mapCancelFeedback('rejected', 'none')).toEqual({ status: 'RUNNING', closes: false });
    expect(mapCancelFeedback('proceeding', 'none')).toBeNull();
  });
});

describe('maintenance window', () => {
  const w = { start: '22:00', durationMinutes: 240, timezone: 'Europe/Berlin' };
  it('is open inside the window, across midnight, in the window time zone', () => {
    expect(inMaintenanceWindow(w, new Date('2026-11-25T21:30:00Z'))).toBe(true); // 22:30 Berlin
    expect(inMaintenanceWindow(w, new Date('2026-11-26T00:30:00Z'))).toBe(true); // 01:30 Berlin
    expect(inMaintenanceWindow(w, new Date('2026-11-26T03:30:00Z'))).toBe(false); // 04:30 Berlin
    expect(inMaintenanceWindow(null, new Date())).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { toDetectionEvent } from './from-telemetry.js';

describe('telemetry to detection input', () => {
  it('applies the telemetry.v1 defaults and reads the time', () => {
    const e = toDetectionEvent({
      deviceId: 'd1',
      seq: 7,
      ts: '2026-03-01T11:00:00+01:00',
      flows: [{ peer: '10.0.0.2', port: 23, protocol: 'tcp' }],
      events: [{ type: 'AUTH_FAILURE' }],
      firmware: { version: '1.2.0', hash: 'ab'.repeat(32) },
    });
    expect(e).toEqual({
      deviceId: 'd1',
      seq: 7,
      ts: Date.parse('2026-03-01T10:00:00Z'),
      metrics: {},
      flows: [{ peer: '10.0.0.2', port: 23, protocol: 'tcp', outbound: true, bytes: 0, packets: 0 }],
      events: [{ type: 'AUTH_FAILURE', count: 1, detail: undefined }],
      firmware: { version: '1.2.0', hash: 'ab'.repeat(32) },
    });
  });

  it('gives null for an unreadable time', () => {
    expect(toDetectionEvent({ deviceId: 'd1', seq: 1, ts: 'soon' })).toBeNull();
  });
});

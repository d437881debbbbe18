import type { DetectionEvent, DetectionFlow, DeviceFacts } from './types.js';

/** Builders for rule tests (no I/O; shared by this folder's tests only). */
export const T0 = Date.parse('2026-03-01T10:00:00Z');

export const device = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'CAMERA',
  modelId: '00000000-0000-4000-8000-0000000000aa',
  segmentId: '00000000-0000-4000-8000-000000000051',
  ...over,
});

export const flow = (peer: string, port = 443, over: Partial<DetectionFlow> = {}): DetectionFlow => ({
  peer,
  port,
  protocol: 'tcp',
  outbound: true,
  bytes: 1000,
  packets: 10,
  ...over,
});

export const message = (seq: number, ts: number, over: Partial<DetectionEvent> = {}): DetectionEvent => ({
  deviceId: device().id,
  seq,
  ts,
  metrics: {},
  flows: [],
  events: [],
  ...over,
});

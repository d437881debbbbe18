import type { DetectionEvent, DetectionFlow } from './types.js';

type FlowLike = NonNullable<TelemetryLike['flows']>[number];
const complete = (f: FlowLike): f is DetectionFlow => f.outbound !== undefined && f.bytes !== undefined && f.packets !== undefined;

/**
 * The shape of a parsed `telemetry.v1` message that detection reads (structural, so this file
 * does not depend on the telemetry contract's module).
 */
export interface TelemetryLike {
  deviceId: string;
  seq: number;
  /** ISO 8601 with offset. */
  ts: string;
  metrics?: Record<string, number> | undefined;
  flows?: { peer: string; port: number; protocol: 'tcp' | 'udp' | 'icmp' | 'other'; outbound?: boolean | undefined; bytes?: number | undefined; packets?: number | undefined }[] | undefined;
  events?: { type: string; count?: number | undefined; detail?: string | undefined }[] | undefined;
  firmware?: { version: string; hash?: string | undefined } | undefined;
}

/** Maps a telemetry message to detection's input; null when its time cannot be read. */
export function toDetectionEvent(m: TelemetryLike): DetectionEvent | null {
  const ts = Date.parse(m.ts);
  if (!Number.isFinite(ts)) return null;
  return {
    deviceId: m.deviceId,
    seq: m.seq,
    ts,
    metrics: m.metrics ?? {},
    // The stream processor's records already carry the defaults: their flows are used as they are
    // (detection only reads them), which spares a copy of every flow of every message.
    flows: !m.flows ? [] : m.flows.every(complete) ? m.flows : m.flows.map((f) => ({ peer: f.peer, port: f.port, protocol: f.protocol, outbound: f.outbound ?? true, bytes: f.bytes ?? 0, packets: f.packets ?? 0 })),
    events: !m.events?.length ? [] : m.events.map((e) => ({ type: e.type, count: e.count ?? 1, detail: e.detail })),
    firmware: m.firmware,
  };
}

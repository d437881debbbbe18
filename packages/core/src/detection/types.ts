import type { AlertRule, AlertSeverity } from '@warden/contracts/incidents';

/**
 * What detection reads from one telemetry message. It mirrors `telemetry.v1` after parsing
 * (defaults applied, `ts` as epoch milliseconds) so the stream processor maps a record with no
 * lookups of its own.
 */
export interface DetectionEvent {
  deviceId: string;
  seq: number;
  /** The device's reading time, epoch ms. Windows are measured in this time so a replay decides the same. */
  ts: number;
  metrics: Record<string, number>;
  flows: DetectionFlow[];
  events: DetectionSecurityEvent[];
  firmware?: { version: string; hash?: string | undefined } | undefined;
}

export interface DetectionFlow {
  peer: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'icmp' | 'other';
  /** True when the device opened the connection. */
  outbound: boolean;
  bytes: number;
  packets: number;
}

export interface DetectionSecurityEvent {
  type: string;
  count: number;
  detail?: string | undefined;
}

/** What the stream processor knows about the device (from the registry cache). */
export interface DeviceFacts {
  id: string;
  kind: string;
  modelId: string;
  segmentId: string | null;
}

/** An alert before it is published: `id` and `dedupKey` are already deterministic. */
export interface AlertDraft {
  id: string;
  dedupKey: string;
  rule: AlertRule;
  severity: AlertSeverity;
  deviceId: string | null;
  segmentId: string | null;
  summary: string;
  evidence: Record<string, unknown>;
  /** Epoch ms. */
  windowStart: number;
  /** Epoch ms. */
  observedAt: number;
}

/** The result of one rule on one input: its new state and what it raised. */
export interface RuleResult<S> {
  state: S;
  alerts: AlertDraft[];
}

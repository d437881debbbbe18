import { z } from 'zod';

/**
 * alerts.v1: what detection raises, on `warden.alerts.v1` (keyed by device id, or by segment id for
 * segment-wide rules) and in the `alerts` table.
 *
 * Delivery is at least once. `dedupKey` (rule + subject + window bucket) and `id` (derived from it)
 * are stable across a replay, so consumers store an alert once: `INSERT … ON CONFLICT (dedup_key) DO
 * NOTHING`. Compatibility: v1 only gains optional fields.
 */

export const ALERT_RULES = [
  /** One device contacts many distinct internal peers on management ports within a window. */
  'WORM_FAN_OUT',
  /** Contact with a destination on the threat-intel list (an IP or a CIDR). */
  'THREAT_INTEL_DESTINATION',
  /** Traffic far above the device's own EWMA baseline. */
  'TRAFFIC_ANOMALY',
  /** Many authentication failures within a window. */
  'AUTH_FAILURE_BURST',
  /** The running image's hash is not the artifact of the version the device reports. */
  'FIRMWARE_HASH_MISMATCH',
  /** A large share of a segment went offline at once. */
  'SEGMENT_SILENCE',
  /** A device kind talking somewhere it never should (a light bulb reaching the internet). */
  'FORBIDDEN_DESTINATION',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const ALERT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const alertSchema = z.strictObject({
  /** Deterministic: a UUID-shaped digest of `dedupKey`. */
  id: z.uuid(),
  /** `rule:subject:bucket`, e.g. `WORM_FAN_OUT:device:<uuid>:482913`. Unique in the alerts table. */
  dedupKey: z.string().min(1).max(512),
  rule: z.enum(ALERT_RULES),
  severity: z.enum(ALERT_SEVERITIES),
  /** The device the alert is about; null for segment-wide rules. */
  deviceId: z.uuid().nullable(),
  segmentId: z.uuid().nullable(),
  /** One line for a person, e.g. "contacted 14 internal peers on management ports in 60 s". */
  summary: z.string().max(1024),
  /** Rule-specific facts (peers, ports, destinations, observed vs. baseline, hashes). */
  evidence: z.record(z.string(), z.unknown()),
  /** Start of the detection window (ISO 8601). */
  windowStart: isoDateTime,
  /** When the condition was observed, in the event's time (ISO 8601). */
  observedAt: isoDateTime,
});

export type AlertV1 = z.infer<typeof alertSchema>;

/** Value of the schema header on `warden.alerts.v1` records. */
export const ALERT_SCHEMA = 'alerts.v1';

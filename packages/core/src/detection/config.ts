import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseCidr } from './ip.js';

const seconds = (def: number) => z.int().min(1).max(7 * 86_400).default(def);
const cidrList = z
  .array(z.string().refine((s) => parseCidr(s) !== null, 'must be an IP address or a CIDR'))
  .max(10_000)
  .default([]);

/**
 * Detection windows and thresholds, changed through the API. Every field has a default, so `{}`
 * is a valid configuration; unknown fields are refused (a typo must not silently keep a default).
 */
export const detectionConfigSchema = z.strictObject({
  /** Address ranges that count as internal besides RFC 1918/ULA/link-local (e.g. the office's public block). */
  internalCidrs: cidrList,
  fanOut: z
    .strictObject({
      enabled: z.boolean().default(true),
      windowSeconds: seconds(60),
      /** Distinct internal peers on management ports within the window that raise an alert. */
      distinctPeers: z.int().min(2).max(10_000).default(10),
      ports: z.array(z.int().min(1).max(65535)).min(1).default([23, 2323, 22, 445, 1900, 5555]),
    })
    .prefault({}),
  threatIntel: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** One alert per device and destination per this window. */
      realertSeconds: seconds(3600),
    })
    .prefault({}),
  trafficBaseline: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Weight of a new sample in the moving average (0 < alpha ≤ 1). */
      alpha: z.number().gt(0).max(1).default(0.1),
      /** Samples a device needs before it can fire (a new device has no baseline yet). */
      warmupSamples: z.int().min(1).max(100_000).default(30),
      /** Fires when the rate exceeds mean + k·stddev ... */
      stddevs: z.number().min(1).max(100).default(4),
      /** ... and is at least this many times the mean ... */
      minRatio: z.number().min(1).max(1000).default(5),
      /** ... and at least this many bytes per second (a near-silent device doubling is not an attack). */
      minBytesPerSecond: z.number().min(0).default(50_000),
      /** A level held this many samples in a row becomes the new normal (the baseline restarts from it). */
      relearnAfterSamples: z.int().min(2).max(100_000).default(360),
      realertSeconds: seconds(900),
    })
    .prefault({}),
  authFailures: z
    .strictObject({
      enabled: z.boolean().default(true),
      windowSeconds: seconds(300),
      threshold: z.int().min(2).max(1_000_000).default(20),
    })
    .prefault({}),
  firmwareHash: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Also alert when the reported version has no known artifact (default: no, it may be a factory image). */
      alertOnUnknownVersion: z.boolean().default(false),
      realertSeconds: seconds(86_400),
    })
    .prefault({}),
  segmentSilence: z
    .strictObject({
      enabled: z.boolean().default(true),
      windowSeconds: seconds(120),
      /** Share of the segment's devices (0–1) that must go offline within the window. */
      share: z.number().gt(0).max(1).default(0.3),
      /** And at least this many devices (a 3-device segment losing one is not an event). */
      minDevices: z.int().min(1).default(5),
    })
    .prefault({}),
  kindPolicy: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Device kinds that must stay internal, with the external destinations each may still reach
       * (e.g. a vendor's cloud). A kind not listed is unrestricted.
       */
      internalOnly: z
        .record(z.string().regex(/^[A-Z_]+$/, 'a device kind such as LIGHT'), z.strictObject({ allow: cidrList }).prefault({}))
        .default({ LIGHT: { allow: [] }, SENSOR: { allow: [] }, BADGE_READER: { allow: [] } }),
      realertSeconds: seconds(3600),
    })
    .prefault({}),
});

export type DetectionConfig = z.output<typeof detectionConfigSchema>;
export type DetectionConfigInput = z.input<typeof detectionConfigSchema>;

/** Validates a configuration; errors name the field, e.g. `fanOut.distinctPeers: Too small: expected number to be >=2`. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  const r = detectionConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0]!;
  throw new ValidationError(
    issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
    first.path || undefined,
    { issues },
  );
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = parseDetectionConfig({});

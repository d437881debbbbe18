import { Ajv } from 'ajv';
import { z } from 'zod';

/**
 * telemetry.v1: what a device reports. A device sends batches of these over HTTP
 * (`POST /device/v1/telemetry`) or MQTT (`warden/devices/{deviceId}/telemetry`).
 *
 * Compatibility: v1 only ever gains optional fields. Unknown fields are refused (a typo should not
 * silently drop data); a breaking change is telemetry.v2 on a new topic.
 */

/** Largest number of messages in one HTTP batch or MQTT payload. */
export const TELEMETRY_MAX_BATCH = 1000;

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
export const ipAddress = z.union([ipv4, ipv6], { error: 'must be an IPv4 or IPv6 address' });

/** Metric names: lower snake case, e.g. `cpu`, `memory`, `temperature`, `rssi`, `power`, `bytes_in`. */
export const METRIC_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** Metrics most devices report; any other metric name matching {@link METRIC_NAME} is accepted too. */
export const WELL_KNOWN_METRICS = [
  'cpu',
  'memory',
  'temperature',
  'rssi',
  'power',
  'bytes_in',
  'bytes_out',
  'uptime',
  'disk',
  'connections',
] as const;

/**
 * Text Postgres can store: no NUL character and no unpaired UTF-16 surrogate (valid JSON, refused
 * by `text` and `jsonb`). Written as what a string may hold, without lookbehind or the `u` flag, so
 * zod and the JSON Schema (Ajv) read it alike.
 */
export const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain a NUL character (\\u0000) or an unpaired UTF-16 surrogate';
const storableText = () => z.string().regex(STORABLE_TEXT, UNSTORABLE_TEXT_MESSAGE);

const UNSTORABLE_CHARACTERS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** `text` with each character Postgres cannot store (see {@link STORABLE_TEXT}) replaced by U+FFFD, for free text worth keeping. */
export function toStorableText(text: string): string {
  return STORABLE_TEXT.test(text) ? text : text.replace(UNSTORABLE_CHARACTERS, '\ufffd');
}

export const flowSchema = z.strictObject({
  /** The other end of the connection. */
  peer: ipAddress,
  port: z.int().min(0).max(65535),
  protocol: z.enum(['tcp', 'udp', 'icmp', 'other']),
  /** Outbound from the device: true when the device opened the connection. */
  outbound: z.boolean().default(true),
  bytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  packets: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

export const SECURITY_EVENT_TYPES = [
  'AUTH_FAILURE',
  'AUTH_SUCCESS',
  'CONFIG_CHANGE',
  'REBOOT',
  'FIRMWARE_CHANGE',
  'PROCESS_START',
  'PORT_OPENED',
  'TAMPER',
  'OTHER',
] as const;

export const securityEventSchema = z.strictObject({
  type: z.enum(SECURITY_EVENT_TYPES),
  at: z.iso.datetime({ offset: true }).optional(),
  /** Free text from the device, e.g. the user name of a failed login. Never a secret. */
  detail: storableText().max(512).optional(),
  count: z.int().min(1).max(1_000_000).default(1),
});

export const telemetryMessageSchema = z.strictObject({
  /** The device's Warden id (uuid). Optional with a device token: the token names the device. */
  deviceId: z.uuid({ error: 'must be the device id (a uuid)' }),
  /**
   * Increases with every message the device sends; with `ts` it identifies a message, so a resent
   * message is stored once.
   */
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** When the device took the reading (ISO 8601 with offset). */
  ts: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' }),
  metrics: z
    .record(z.string().regex(METRIC_NAME, 'metric names are lower snake case'), z.number().finite())
    .refine((m) => Object.keys(m).length <= 64, 'at most 64 metrics')
    .meta({ maxProperties: 64 })
    .default({}),
  flows: z.array(flowSchema).max(256).default([]),
  events: z.array(securityEventSchema).max(64).default([]),
  firmware: z
    .strictObject({
      version: storableText().min(1).max(64),
      /** Hex SHA-256 of the running image. */
      hash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a hex SHA-256').optional(),
    })
    .optional(),
  /** The device's own address as it sees it. */
  ip: ipAddress.optional(),
  /** Seconds until the device's next report; used to tell when it has gone silent. */
  interval: z.int().min(1).max(86_400).optional(),
});

/** One telemetry message as the device sends it. */
export type TelemetryMessageInput = z.input<typeof telemetryMessageSchema>;
export type TelemetryMessage = z.output<typeof telemetryMessageSchema>;

/** What the gateway produces to `warden.telemetry.v1`: the validated message, stamped. */
export interface TelemetryRecord extends TelemetryMessage {
  /** When the gateway received it (ISO 8601). */
  receivedAt: string;
  via: 'http' | 'mqtt';
  /** Present (true) when the device was quarantined as the gateway received it: flagged, still stored. */
  quarantined?: true;
}

/** A field-level problem with one message. */
export interface FieldError {
  /** Dotted path inside the message, e.g. `flows.2.port`. */
  path: string;
  message: string;
}

export type TelemetryParseResult =
  | { ok: true; message: TelemetryMessage }
  | { ok: false; errors: FieldError[] };

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(message)', message: i.message }));
}

/**
 * The accepting half of {@link parseTelemetryMessage}: the same schema, as the JSON Schema zod
 * writes for it (the one in the AsyncAPI document), compiled by Ajv into a check that reads a
 * message without copying it. zod builds a new object per message, which at tens of thousands of
 * messages a second is most of the gateway's garbage. The options make Ajv judge as zod does:
 * string lengths in UTF-16 units, patterns without the `u` flag, no NaN or Infinity, and formats
 * by zod's own patterns (which the JSON Schema carries) rather than Ajv's.
 */
const acceptsInPlace = new Ajv({ strict: false, logger: false, strictNumbers: true, unicode: false, unicodeRegExp: false, validateFormats: false, allErrors: false }).compile(
  z.toJSONSchema(telemetryMessageSchema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }),
);

/** Fills in, in place, the defaults of telemetryMessageSchema on a message that passed the check. */
export function fillTelemetryDefaults(m: TelemetryMessageInput): TelemetryMessage {
  m.metrics ??= {};
  m.flows ??= [];
  m.events ??= [];
  for (const f of m.flows) {
    f.outbound ??= true;
    f.bytes ??= 0;
    f.packets ??= 0;
  }
  for (const e of m.events) e.count ??= 1;
  return m as TelemetryMessage;
}

/**
 * Validates one message; never throws. A valid message is returned as the very object given, its
 * defaults filled in (the caller owns it: it came from its own JSON.parse). An invalid one is left
 * as it was and explained by zod, field by field. (A message Ajv refuses and zod takes is taken:
 * zod is the contract; a test keeps the two in agreement.)
 */
export function parseTelemetryMessage(input: unknown): TelemetryParseResult {
  const r = checkTelemetryMessage(input);
  return r.ok ? { ok: true, message: fillTelemetryDefaults(r.message) } : r;
}

/**
 * {@link parseTelemetryMessage} without filling in the defaults: a valid message is the object
 * given, exactly as it was sent (what a refusal for other reasons, such as a device speaking for
 * another, should record), until {@link fillTelemetryDefaults} completes it.
 */
export function checkTelemetryMessage(input: unknown): { ok: true; message: TelemetryMessageInput } | { ok: false; errors: FieldError[] } {
  if (acceptsInPlace(input)) return { ok: true, message: input as TelemetryMessageInput };
  const r = telemetryMessageSchema.safeParse(input);
  return r.success ? { ok: true, message: r.data } : { ok: false, errors: toFieldErrors(r.error) };
}

/** The HTTP body: `{ "messages": [...] }`. */
export const telemetryBatchSchema = z.strictObject({
  messages: z.array(z.unknown()).min(1, 'send at least one message').max(TELEMETRY_MAX_BATCH),
});

import {
  checkTelemetryMessage,
  DLQ_ERRORS_LIMIT,
  DLQ_MESSAGE_LIMIT,
  DLQ_PAYLOAD_LIMIT,
  fillTelemetryDefaults,
  type DlqReason,
  type FieldError,
  type TelemetryDlqRecord,
  type TelemetryMessageInput,
  type TelemetryRecord,
} from '@warden/contracts';
import type { DeviceAuthenticator, DevicePrincipal } from '../device-auth/authenticate-device.js';

/** Where accepted telemetry goes: resolves only once Kafka has it. Keyed by device id. */
export interface TelemetryPublisher {
  publish(records: TelemetryRecord[]): Promise<void>;
}

export interface DlqPublisher {
  publish(records: TelemetryDlqRecord[]): Promise<void>;
}

export interface IngestDeps {
  authenticator: Pick<DeviceAuthenticator, 'forbiddenDevices'> & Partial<Pick<DeviceAuthenticator, 'quarantinedDevices'>>;
  telemetry: TelemetryPublisher;
  dlq: DlqPublisher;
  /** How far ahead of the gateway clock a device timestamp may be. */
  maxClockSkewMs: number;
}

export interface IngestInput {
  principal: DevicePrincipal;
  /** The raw messages, one per array element. */
  messages: unknown[];
  via: 'http' | 'mqtt';
  receivedAt: Date;
  sourceIp?: string;
  /**
   * The device the transport says this is (the MQTT topic, or the device token's own device):
   * filled in when a message omits `deviceId`.
   */
  impliedDeviceId?: string;
  /** Refuse messages for any other device (an MQTT topic names exactly one device). */
  onlyDeviceId?: string;
}

export interface Rejection {
  index: number;
  reason: DlqReason;
  message: string;
  errors?: FieldError[];
}

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

/** `Date#toISOString()` form: a timestamp already in it is stored as it is. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ$/;

/** `token`-like fields are stripped from anything copied into the DLQ. */
const SECRET_KEYS = /token|secret|password|authorization/i;

export function redactPayload(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (k, v: unknown) => (k && SECRET_KEYS.test(k) ? '[redacted]' : v)) ?? String(value);
  } catch {
    // Too deep to serialise (nested arrays past the stack): `String()` would recurse the same way.
    text = '[payload too deeply nested to copy]';
  }
  return text.length > DLQ_PAYLOAD_LIMIT ? text.slice(0, DLQ_PAYLOAD_LIMIT) : text;
}

/**
 * Validates a batch of telemetry from one authenticated sender, hands the valid messages to
 * Kafka and the refused ones, with their reasons, to the DLQ. Resolves once both are stored; the
 * result says which messages were refused and why. Throws when Kafka does not take them
 * (see ./errors.ts): then nothing may be acknowledged to the device.
 */
export async function ingestTelemetry(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const receivedAt = input.receivedAt.toISOString();
  const latest = input.receivedAt.getTime() + deps.maxClockSkewMs;
  const implied = input.impliedDeviceId ?? (input.principal.kind === 'device' ? input.principal.deviceId : undefined);
  const rejected: Rejection[] = [];
  // Checked but not yet completed with defaults: a message refused below is recorded as it was sent.
  const valid: Array<{ index: number; message: TelemetryMessageInput; tsMs: number }> = [];

  input.messages.forEach((raw, index) => {
    const candidate =
      implied && raw && typeof raw === 'object' && !Array.isArray(raw) && !('deviceId' in raw) ? { ...raw, deviceId: implied } : raw;
    const parsed = checkTelemetryMessage(candidate);
    if (!parsed.ok) {
      const first = parsed.errors[0]!;
      rejected.push({ index, reason: 'INVALID', message: `${first.path}: ${first.message}`, errors: parsed.errors });
      return;
    }
    const tsMs = Date.parse(parsed.message.ts);
    if (parsed.message.ts.startsWith('0000')) {
      // ISO 8601 has a year 0; Postgres does not (it would refuse the stored point).
      const errors = [{ path: 'ts', message: 'is before year 1 (check the device clock)' }];
      rejected.push({ index, reason: 'INVALID', message: `ts: ${errors[0]!.message}`, errors });
      return;
    }
    if (tsMs > latest) {
      const errors = [{ path: 'ts', message: 'is in the future (check the device clock)' }];
      rejected.push({ index, reason: 'INVALID', message: 'ts: is in the future (check the device clock)', errors });
      return;
    }
    valid.push({ index, message: parsed.message, tsMs });
  });

  const forbidden = await deps.authenticator.forbiddenDevices(input.principal, new Set(valid.map((v) => v.message.deviceId)));
  const accepted: TelemetryRecord[] = [];
  for (const { index, message, tsMs } of valid) {
    if (forbidden.has(message.deviceId) || (input.onlyDeviceId !== undefined && message.deviceId !== input.onlyDeviceId)) {
      rejected.push({ index, reason: 'FORBIDDEN', message: `this credential may not send telemetry for device ${message.deviceId}` });
      continue;
    }
    // The message is this request's own (parsed from its body): completed and stamped in place, not copied.
    const record = fillTelemetryDefaults(message) as TelemetryRecord;
    // Millisecond precision is what is stored; normalising here keeps a message's identity stable.
    if (!CANONICAL_TIME.test(record.ts)) record.ts = new Date(tsMs).toISOString();
    record.receivedAt = receivedAt;
    record.via = input.via;
    accepted.push(record);
  }
  rejected.sort((a, b) => a.index - b.index);
  // A quarantined device keeps reporting (its management channel stays open): its telemetry is flagged.
  if (accepted.length && deps.authenticator.quarantinedDevices) {
    const quarantined = await deps.authenticator.quarantinedDevices(input.principal, new Set(accepted.map((r) => r.deviceId)));
    if (quarantined.size) for (const r of accepted) if (quarantined.has(r.deviceId)) r.quarantined = true;
  }

  const dlq: TelemetryDlqRecord[] = rejected.map((r) => {
    const raw = input.messages[r.index];
    const claimed = raw && typeof raw === 'object' && typeof (raw as { deviceId?: unknown }).deviceId === 'string' ? (raw as { deviceId: string }).deviceId : implied;
    return {
      reason: r.reason,
      // Bounded: a message of thousands of unknown keys names them all, and the record must fit Kafka.
      message: r.message.slice(0, DLQ_MESSAGE_LIMIT),
      ...(r.errors ? { errors: r.errors.slice(0, DLQ_ERRORS_LIMIT).map((e) => ({ path: e.path.slice(0, 200), message: e.message.slice(0, DLQ_MESSAGE_LIMIT) })) } : {}),
      ...(claimed ? { deviceId: claimed.slice(0, 64) } : {}),
      credentialId: input.principal.credentialId,
      index: r.index,
      via: input.via,
      receivedAt,
      ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
      payload: redactPayload(raw),
    };
  });
  await Promise.all([deps.telemetry.publish(accepted), dlq.length ? deps.dlq.publish(dlq) : undefined]);
  return { accepted: accepted.length, rejected };
}

/** Raw text may hold a token (an MQTT payload that is not JSON): anything shaped like one goes. */
function redactText(text: string): string {
  return text.slice(0, DLQ_PAYLOAD_LIMIT).replace(/\bwd[a-z]_[\w-]{8,}/g, '[redacted]');
}

/**
 * Records input refused before any message could be read (bad token, unreadable or oversized
 * body). Best effort: the sender already gets its 4xx.
 */
export async function rejectUnreadable(
  dlq: DlqPublisher,
  input: { reason: DlqReason; message: string; via: 'http' | 'mqtt'; receivedAt: Date; sourceIp?: string; deviceId?: string; payload?: unknown },
): Promise<void> {
  await dlq.publish([
    {
      reason: input.reason,
      message: input.message,
      via: input.via,
      receivedAt: input.receivedAt.toISOString(),
      ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
      ...(input.deviceId ? { deviceId: input.deviceId.slice(0, 64) } : {}),
      ...(input.payload !== undefined ? { payload: typeof input.payload === 'string' ? redactText(input.payload) : redactPayload(input.payload) } : {}),
    },
  ]);
}

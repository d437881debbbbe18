import { z } from 'zod';
import type { FieldError } from './telemetry.v1.js';

export const DLQ_REASONS = [
  /** The message failed validation; `errors` names the fields. */
  'INVALID',
  /** The body was not JSON. */
  'MALFORMED',
  /** The body or MQTT payload was larger than allowed. */
  'TOO_LARGE',
  /** No or an unknown/revoked token. */
  'UNAUTHENTICATED',
  /** An authenticated device sent telemetry for another device. */
  'FORBIDDEN',
  /** The stream processor could not store a record: Postgres refused its data (`message` gives the reason). */
  'UNSTORABLE',
] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];

/**
 * A refused input on `warden.telemetry.dlq.v1`. It never holds a token: authentication material
 * is removed before the payload is copied here.
 */
export interface TelemetryDlqRecord {
  reason: DlqReason;
  /** Human-readable summary. */
  message: string;
  errors?: FieldError[];
  /** The device the input claimed to come from, when it could be read. */
  deviceId?: string;
  /** Which credential sent it (the credential's id, never the token). */
  credentialId?: string;
  /** Position in the batch. */
  index?: number;
  /** Where it was refused: a device transport, or the stream processor (a record it could not read). */
  via: 'http' | 'mqtt' | 'stream';
  receivedAt: string;
  sourceIp?: string;
  /** The refused input as text, truncated to {@link DLQ_PAYLOAD_LIMIT} characters. */
  payload?: string;
}

export const DLQ_PAYLOAD_LIMIT = 8192;
/** Longest `message`, and most `errors` (each shortened alike), a DLQ record carries: a record stays far below Kafka's 1 MiB. */
export const DLQ_MESSAGE_LIMIT = 1000;
export const DLQ_ERRORS_LIMIT = 50;

/** {@link TelemetryDlqRecord} as a schema, for consumers of the DLQ and the AsyncAPI document. */
export const telemetryDlqRecordSchema = z.object({
  reason: z.enum(DLQ_REASONS),
  message: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  deviceId: z.string().optional(),
  credentialId: z.string().optional(),
  index: z.int().optional(),
  via: z.enum(['http', 'mqtt', 'stream']),
  receivedAt: z.iso.datetime({ offset: true }),
  sourceIp: z.string().optional(),
  payload: z.string().max(DLQ_PAYLOAD_LIMIT).optional(),
});

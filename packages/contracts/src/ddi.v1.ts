import { z } from 'zod';
import { STORABLE_TEXT, toStorableText, UNSTORABLE_TEXT_MESSAGE } from './telemetry/telemetry.v1.js';

/**
 * hawkBit DDI v1: the wire format devices speak (see shared DDI.md). Enum values are lowercase on
 * the wire (uppercase is a 400); unknown fields are ignored; a single value is accepted where an
 * array is expected.
 */

/** Stored as a 32-bit integer. */
const INT32_MAX = 2 ** 31 - 1;

export const EXECUTIONS = ['closed', 'proceeding', 'canceled', 'scheduled', 'rejected', 'resumed', 'download', 'downloaded'] as const;
export type Execution = (typeof EXECUTIONS)[number];
export const FINISHED = ['success', 'failure', 'none'] as const;
export type Finished = (typeof FINISHED)[number];

/** At most this many status entries per action, and details per status (beyond: 429). */
export const MAX_STATUS_ENTRIES_PER_ACTION = 1000;
export const MAX_DETAILS_PER_STATUS = 50;
export const MAX_ATTRIBUTES = 100;
export const MAX_ATTRIBUTE_LENGTH = 128;

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), item.transform((v) => [v] as z.output<T>[])]);

export const actionFeedback = z.object({
  timestamp: z.number().optional(),
  status: z.object({
    execution: z.enum(EXECUTIONS),
    result: z.object({
      finished: z.enum(FINISHED),
      progress: z
        .object({ cnt: z.number().int().min(0).max(INT32_MAX), of: z.number().int().min(0).max(INT32_MAX) })
        .optional(),
    }),
    code: z.number().int().min(-INT32_MAX).max(INT32_MAX).optional(),
    // Log lines: a character Postgres cannot store is replaced rather than the report refused.
    details: oneOrMany(z.string().transform(toStorableText)).optional(),
  }),
});
export type ActionFeedback = z.output<typeof actionFeedback>;

const attrKey = z.string().min(1).max(MAX_ATTRIBUTE_LENGTH).regex(STORABLE_TEXT, UNSTORABLE_TEXT_MESSAGE);
export const configData = z.object({
  mode: z.enum(['merge', 'replace', 'remove']).default('merge'),
  data: z
    .record(attrKey, z.string().max(MAX_ATTRIBUTE_LENGTH).regex(STORABLE_TEXT, UNSTORABLE_TEXT_MESSAGE))
    .refine((d) => Object.keys(d).length > 0, 'data must not be empty')
    .refine((d) => Object.keys(d).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`),
});
export type ConfigData = z.output<typeof configData>;

export interface Link {
  href: string;
}

export interface ControllerBase {
  config: { polling: { sleep: string } };
  _links?: { deploymentBase?: Link; cancelAction?: Link; configData?: Link };
}

/**
 * Warden's extension to the DDI artifact: the Ed25519 signature of the artifact's raw SHA-256
 * digest, so a device can check it with the public key it trusts. Agents that do not know the
 * field ignore it (unknown fields are ignored).
 */
export interface ArtifactSignature {
  algorithm: 'Ed25519';
  /** Fingerprint of the signing key (first 16 hex of sha256 of the raw public key). */
  keyId: string;
  /** Base64. */
  value: string;
}

export interface DdiArtifact {
  filename: string;
  hashes: { sha1: string; md5: string; sha256: string };
  size: number;
  signature?: ArtifactSignature;
  _links: { download: Link; 'download-http': Link; md5sum: Link; 'md5sum-http': Link };
}

export interface Chunk {
  part: string;
  version: string;
  name: string;
  artifacts: DdiArtifact[];
}

export type HandlingType = 'skip' | 'attempt' | 'forced';

export interface DeploymentBase {
  id: string;
  deployment: {
    download: HandlingType;
    update: HandlingType;
    maintenanceWindow?: 'available' | 'unavailable';
    chunks: Chunk[];
  };
  actionHistory?: { status: string; messages: string[] };
}

export interface Cancel {
  id: string;
  cancelAction: { stopId: string };
}

/** `HH:MM:SS` with hours < 24 (suricatta rejects ISO-8601 durations). */
export function formatSleep(seconds: number): string {
  const s = Math.max(0, Math.min(Math.floor(seconds), 24 * 3600 - 1));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

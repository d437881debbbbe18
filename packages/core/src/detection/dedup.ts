import { createHash } from 'node:crypto';
import type { AlertRule } from '@warden/contracts/incidents';

/** The window bucket a time falls in: alerts of one rule and subject are raised once per bucket. */
export function windowBucket(ts: number, windowMs: number): number {
  return Math.floor(ts / windowMs);
}

/** `rule:subject:bucket`; the subject is `device:<id>` or `segment:<id>`, plus a qualifier when a rule raises per destination. */
export function dedupKey(rule: AlertRule, subject: string, bucket: number): string {
  return `${rule}:${subject}:${bucket}`;
}

/** A UUID-shaped digest (version nibble 5, RFC 4122 variant) of a string: the same input, the same id. */
export function stableId(input: string): string {
  const h = createHash('sha256').update(input).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@warden/contracts';

/** The header carrying the signature of an outgoing webhook. */
export const WEBHOOK_SIGNATURE_HEADER = WEBHOOK_HEADERS.signature;

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is
 * signed with the body, so a receiver can refuse replays older than its tolerance.
 */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: 'MALFORMED' | 'EXPIRED' | 'MISMATCH' };

/**
 * Verifies a signature header against the raw body. Accepts any of several `v1=` values (a sender
 * rotating secrets signs with both) and refuses timestamps further than `toleranceSeconds` from now.
 */
export function verifyWebhook(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): WebhookVerification {
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, reason: 'MALFORMED' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'EXPIRED' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  return signatures.some((s) => timingSafeEqual(s, expected)) ? { ok: true, timestamp: t } : { ok: false, reason: 'MISMATCH' };
}

function hmac(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

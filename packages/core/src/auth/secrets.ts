import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random bearer secrets (sessions, API keys, device tokens). They carry 256 bits of entropy, so a
 * keyed hash (HMAC-SHA256 with a server pepper) is the right way to store them: a slow KDF buys
 * nothing against guessing and would cost a KDF per request.
 */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string, pepper: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

/** First characters of a secret, safe to display so a user can tell secrets apart. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, secret.indexOf('_') + 7);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Token prefixes: they tell a leaked secret's kind at a glance (and to secret scanners). */
export const SECRET_PREFIX = { session: 'wds', apiKey: 'wdk', device: 'wdt', gateway: 'wdg' } as const;

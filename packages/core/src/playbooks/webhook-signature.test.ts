import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const secret = 'whsec_test_2f9c';
const body = JSON.stringify({ event: 'playbook.step', incidentId: 'inc-1', step: 'quarantine-infected' });
const t = 1_772_359_200;

describe('webhook signatures', () => {
  it('is an HMAC-SHA256 of "<timestamp>.<body>" that a receiver can recompute', () => {
    const header = signWebhook(secret, body, t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhook(secret, body, header, t + 10)).toEqual({ ok: true, timestamp: t });
  });

  it('refuses a changed body, another secret or a changed timestamp', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhook(secret, body.replace('inc-1', 'inc-2'), header, t)).toEqual({ ok: false, reason: 'MISMATCH' });
    expect(verifyWebhook('other', body, header, t)).toEqual({ ok: false, reason: 'MISMATCH' });
    expect(verifyWebhook(secret, body, header.replace(`t=${t}`, `t=${t + 1}`), t)).toEqual({ ok: false, reason: 'MISMATCH' });
  });

  it('refuses a replay outside the tolerance and malformed headers', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhook(secret, body, header, t + 301)).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(verifyWebhook(secret, body, header, t - 301)).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(verifyWebhook(secret, body, 'v1=abc', t)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(verifyWebhook(secret, body, `t=${t}`, t)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('accepts any of several signatures while a secret is rotated', () => {
    const old = signWebhook('old-secret', body, t).split(',')[1];
    const header = `${signWebhook(secret, body, t)},${old}`;
    expect(verifyWebhook('old-secret', body, header, t).ok).toBe(true);
    expect(verifyWebhook(secret, body, header, t).ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { createSecretBox, newWebhookSecret } from './secret-box.js';

describe('webhook secrets at rest', () => {
  const box = createSecretBox('a server key of at least thirty-two characters');

  it('opens what it sealed, for the same row only', () => {
    const secret = newWebhookSecret();
    const sealed = box.seal(secret, 'sub-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'sub-1')).toBe(secret);
    expect(() => box.open(sealed, 'sub-2')).toThrow(/does not decrypt/);
  });

  it('refuses a ciphertext sealed under another key or tampered with', () => {
    const sealed = box.seal('whsec_abc', 'sub-1');
    expect(() => createSecretBox('another server key, also thirty-two long').open(sealed, 'sub-1')).toThrow(/WEBHOOK_SECRET_KEY/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_abd').toString('base64url');
    expect(() => box.open(parts.join('.'), 'sub-1')).toThrow(/does not decrypt/);
    expect(box.seal('x', 'sub-1')).not.toBe(box.seal('x', 'sub-1'));
  });
});

import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ddi } from '@warden/contracts';
import { trustedKey, verifyArtifact } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const image = Buffer.from('firmware image 2.5.2 '.repeat(100));

function announced(bytes: Buffer, signer = privateKey): ddi.DdiArtifact {
  const digest = createHash('sha256').update(bytes).digest();
  const href = 'http://gw/default/controller/v1/x/softwaremodules/1/artifacts/a.swu';
  return {
    filename: 'a.swu',
    size: bytes.length,
    hashes: { sha1: createHash('sha1').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex'), sha256: digest.toString('hex') },
    signature: { algorithm: 'Ed25519', keyId: 'k', value: sign(null, digest, signer).toString('base64') },
    _links: { download: { href }, 'download-http': { href }, md5sum: { href }, 'md5sum-http': { href } },
  };
}

describe('artifact verification on the device', () => {
  const key = trustedKey(pem);

  it('accepts the announced image signed with the trusted key', () => {
    expect(verifyArtifact(image, announced(image), key)).toEqual({ ok: true, sha256: createHash('sha256').update(image).digest('hex') });
  });

  it('refuses a truncated download, a tampered image, and a wrong hash', () => {
    const a = announced(image);
    expect(verifyArtifact(image.subarray(1), a, key)).toMatchObject({ ok: false, reason: expect.stringMatching(/size/) });
    const tampered = Buffer.from(image);
    tampered[10] = tampered[10]! ^ 1;
    expect(verifyArtifact(tampered, a, key)).toMatchObject({ ok: false, reason: expect.stringMatching(/sha1/) });
    expect(verifyArtifact(image, { ...a, hashes: { ...a.hashes, sha256: '0'.repeat(64) } }, key)).toMatchObject({ ok: false, reason: expect.stringMatching(/sha256/) });
  });

  it('refuses an image signed by another key, or not signed at all', () => {
    expect(verifyArtifact(image, announced(image, other.privateKey), key)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    const { signature: _, ...unsigned } = announced(image);
    expect(verifyArtifact(image, unsigned, key)).toMatchObject({ ok: false, reason: 'artifact is not signed' });
  });

  it('refuses to trust a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(() => trustedKey(rsa)).toThrow(/Ed25519/);
  });
});

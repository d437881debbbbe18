import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { ddi } from '@warden/contracts';

/**
 * What a device checks before it installs a downloaded artifact: the size and hashes the
 * deployment announced, and the Ed25519 signature over the SHA-256 digest with the public key the
 * device trusts. Any mismatch means the image is not the one Warden published: refuse it.
 */
export type Verdict = { ok: true; sha256: string } | { ok: false; reason: string };

export function trustedKey(publicKeyPem: string): KeyObject {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the firmware key devices trust must be an Ed25519 public key');
  return key;
}

export function verifyArtifact(bytes: Buffer, artifact: ddi.DdiArtifact, key: KeyObject | null): Verdict {
  if (bytes.length !== artifact.size) return { ok: false, reason: `size ${bytes.length} is not the announced ${artifact.size}` };
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  if (sha1 !== artifact.hashes.sha1.toLowerCase()) return { ok: false, reason: 'sha1 does not match the announced hash' };
  const digest = createHash('sha256').update(bytes).digest();
  const sha256 = digest.toString('hex');
  if (sha256 !== artifact.hashes.sha256.toLowerCase()) return { ok: false, reason: 'sha256 does not match the announced hash' };
  if (key) {
    const sig = artifact.signature;
    if (!sig) return { ok: false, reason: 'artifact is not signed' };
    if (sig.algorithm !== 'Ed25519') return { ok: false, reason: `unsupported signature algorithm ${sig.algorithm}` };
    if (!verify(null, digest, key, Buffer.from(sig.value, 'base64'))) return { ok: false, reason: 'signature does not verify with the trusted firmware key' };
  }
  return { ok: true, sha256 };
}

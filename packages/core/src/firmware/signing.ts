import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors.js';

/**
 * Signs artifacts with Ed25519. The signature covers the raw 32-byte SHA-256 digest of the file, so
 * a device verifies it with the published public key after hashing what it downloaded.
 */
export interface ArtifactSigner {
  keyId: string;
  /** SPKI PEM of the public key, for devices. */
  publicKeyPem: string;
  signDigest(sha256Hex: string): string;
}

export function signerFromKey(privateKey: KeyObject): ArtifactSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the firmware signing key must be an Ed25519 key');
  const pub = createPublicKey(privateKey);
  const raw = pub.export({ format: 'der', type: 'spki' });
  return {
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    publicKeyPem: pub.export({ format: 'pem', type: 'spki' }).toString(),
    signDigest: (sha256Hex) => sign(null, Buffer.from(sha256Hex, 'hex'), privateKey).toString('base64'),
  };
}

/** Checks a signature as a device would: Ed25519 over the SHA-256 digest. */
export function verifyArtifactSignature(publicKeyPem: string, sha256Hex: string, signatureB64: string): boolean {
  return verify(null, Buffer.from(sha256Hex, 'hex'), createPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
}

/**
 * The configured signing key (PEM in config), else the key file; outside production a missing
 * key file is created with a fresh development key.
 */
export async function loadSigner(opts: { pem: string | undefined; file: string; createIfMissing: boolean }): Promise<ArtifactSigner> {
  if (opts.pem) return signerFromKey(createPrivateKey(opts.pem));
  if (!existsSync(opts.file)) {
    if (!opts.createIfMissing) throw new Error(`no firmware signing key: set FIRMWARE_SIGNING_KEY or create ${opts.file}`);
    const { privateKey } = generateKeyPairSync('ed25519');
    await mkdir(path.dirname(opts.file), { recursive: true });
    await writeFile(opts.file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err; // another process created it first
    });
  }
  return signerFromKey(createPrivateKey(await readFile(opts.file)));
}

/**
 * Stands in when no signing key is configured (production without FIRMWARE_SIGNING_KEY): the
 * service starts, and uploads are refused with the reason instead of being stored unsigned.
 */
export function unavailableSigner(reason: string): ArtifactSigner {
  return {
    keyId: '',
    publicKeyPem: '',
    signDigest: () => {
      throw new ValidationError(`artifacts cannot be signed: ${reason}`, 'file');
    },
  };
}

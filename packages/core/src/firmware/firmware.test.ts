import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { versionAffected } from './advisories.js';
import { intervals, parseOsv } from './osv.js';
import { signerFromKey, verifyArtifactSignature, loadSigner } from './signing.js';
import { LocalDiskStorage, TooLargeError } from './storage.js';

const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'warden-fw-'));
  dirs.push(d);
  return d;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('local artifact storage', () => {
  it('stores by content hash with all three digests, and reads byte ranges', async () => {
    const storage = new LocalDiskStorage(await tmp());
    const bytes = randomBytes(100_000);
    const stored = await storage.put(Readable.from([bytes.subarray(0, 4000), bytes.subarray(4000)]), 1 << 20);
    expect(stored).toEqual({
      key: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sha1: createHash('sha1').update(bytes).digest('hex'),
      md5: createHash('md5').update(bytes).digest('hex'),
    });
    expect(await storage.size(stored.key)).toBe(bytes.length);
    const chunks: Buffer[] = [];
    for await (const c of storage.read(stored.key, { start: 10, end: 19 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes.subarray(10, 20))).toBe(true);
    expect(await storage.size('0'.repeat(64))).toBeNull();
  });

  it('refuses more than the size limit and leaves nothing behind', async () => {
    const dir = await tmp();
    const storage = new LocalDiskStorage(dir);
    await expect(storage.put(Readable.from([randomBytes(2048)]), 1024)).rejects.toThrow(TooLargeError);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('artifact signing', () => {
  it('signs the sha256 digest so the public key verifies it, and nothing else', () => {
    const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    const digest = createHash('sha256').update('image').digest('hex');
    const sig = signer.signDigest(digest);
    expect(verifyArtifactSignature(signer.publicKeyPem, digest, sig)).toBe(true);
    expect(verifyArtifactSignature(signer.publicKeyPem, createHash('sha256').update('imagE').digest('hex'), sig)).toBe(false);
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('creates a development key once and reuses it; refuses to invent one in production', async () => {
    const file = path.join(await tmp(), 'k', 'signing.pem');
    const a = await loadSigner({ pem: undefined, file, createIfMissing: true });
    const b = await loadSigner({ pem: undefined, file, createIfMissing: true });
    expect(a.keyId).toBe(b.keyId);
    expect(await readFile(file, 'utf8')).toContain('PRIVATE KEY');
    await expect(loadSigner({ pem: undefined, file: `${file}.missing`, createIfMissing: false })).rejects.toThrow(/FIRMWARE_SIGNING_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(loadSigner({ pem: rsa, file, createIfMissing: false })).rejects.toThrow(/Ed25519/);
  });
});

describe('OSV', () => {
  it('turns range events into intervals', () => {
    expect(intervals([{ introduced: '0' }, { fixed: '1.2.0' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }, { introduced: '3.0.0' }])).toEqual([
      { introduced: null, fixed: '1.2.0', lastAffected: null },
      { introduced: '2.0.0', fixed: null, lastAffected: '2.1.0' },
      { introduced: '3.0.0', fixed: null, lastAffected: null },
    ]);
  });

  it('reads id, aliases and severity, and names what is wrong with a bad document', () => {
    const ok = parseOsv({ id: 'GHSA-1', aliases: ['CVE-1'], database_specific: { severity: 'MODERATE' }, affected: [{ package: { name: 'a/b' } }] });
    expect(ok.ok && ok.value).toMatchObject({ externalId: 'GHSA-1', aliases: ['CVE-1'], severity: 'MEDIUM' });
    const scored = parseOsv({ id: 'X', severity: [{ type: 'CVSS_V3', score: '9.8' }], affected: [{ package: { name: 'a' } }] });
    expect(scored.ok && scored.value.severity).toBe('CRITICAL');
    const bad = parseOsv({ id: 'X', affected: [] });
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('affected') });
  });

  it('decides which versions an interval affects', () => {
    const r = { introduced: '1.0.0', fixed: '1.2.0', lastAffected: null };
    expect(versionAffected('0.9.9', r)).toBe(false);
    expect(versionAffected('1.0.0', r)).toBe(true);
    expect(versionAffected('v1.1', r)).toBe(true);
    expect(versionAffected('1.2.0', r)).toBe(false);
    expect(versionAffected('2.1.0', { introduced: null, fixed: null, lastAffected: '2.1.0' })).toBe(true);
    expect(versionAffected(null, r)).toBe(false);
  });
});

import type { Readable } from 'node:stream';
import type { Artifact } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { FirmwareDeps } from './deps.js';

const FILENAME = /^[\w][\w.+-]{0,199}$/;

export function checkFilename(filename: string): void {
  if (!FILENAME.test(filename) || filename.endsWith('.MD5SUM')) {
    throw new ValidationError('filename: letters, digits, ".", "_", "+", "-" (max 200), not ending in .MD5SUM', 'filename');
  }
}

/**
 * Streams an artifact into storage (hashing on the way, refusing more than the size limit), signs
 * its digest and records it. Uploading the same bytes under the same name again returns the
 * existing artifact.
 */
export async function uploadArtifact(
  deps: FirmwareDeps,
  actor: Actor,
  input: { filename: string; body: Readable },
): Promise<{ artifact: Artifact; created: boolean }> {
  requireRole(actor, 'OPERATOR');
  checkFilename(input.filename);
  if (!deps.signer.keyId) deps.signer.signDigest(''); // no signing key: refuse before storing anything
  const stored = await deps.storage.put(input.body, deps.maxArtifactBytes);
  if (stored.size === 0) throw new ValidationError('the artifact is empty', 'file');
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.artifact.findUnique({ where: { sha256_filename: { sha256: stored.sha256, filename: input.filename } } });
    if (existing) return { artifact: existing, created: false };
    const artifact = await tx.artifact.create({
      data: {
        filename: input.filename,
        size: BigInt(stored.size),
        sha256: stored.sha256,
        sha1: stored.sha1,
        md5: stored.md5,
        signature: deps.signer.signDigest(stored.sha256),
        signingKeyId: deps.signer.keyId,
        storageKey: stored.key,
        createdBy: actor.name,
      },
    });
    await audit(tx, actor, {
      action: 'artifact.upload',
      targetType: 'artifact',
      targetId: artifact.id,
      summary: { filename: artifact.filename, size: stored.size, sha256: stored.sha256 },
    });
    return { artifact, created: true };
  });
}

export async function getArtifact(deps: Pick<FirmwareDeps, 'db'>, actor: Actor, id: string): Promise<Artifact> {
  requireRole(actor, 'VIEWER');
  const a = await deps.db.artifact.findUnique({ where: { id } });
  if (!a) throw new NotFoundError('artifact', id);
  return a;
}

export async function listArtifacts(deps: Pick<FirmwareDeps, 'db'>, actor: Actor, opts: { take: number; skip?: number }): Promise<Artifact[]> {
  requireRole(actor, 'VIEWER');
  return deps.db.artifact.findMany({ orderBy: { createdAt: 'desc' }, take: opts.take, skip: opts.skip ?? 0 });
}

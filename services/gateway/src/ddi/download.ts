import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Artifact } from '@warden/db';
import type { ArtifactStorage } from '@warden/core/firmware';
import type { Logger } from '@warden/runtime';

function ifMatchFails(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = header.split(',').map((t) => t.trim());
  return !tags.some((t) => t === '*' || t === etag);
}

/**
 * Serves an artifact: HEAD (headers only), If-Match against the sha1 ETag (412), a single byte
 * range (206 + Content-Range, 416 when unsatisfiable) for resumed downloads, else the whole file.
 */
export async function sendArtifact(req: Request, res: Response, artifact: Artifact, storage: ArtifactStorage, log: Logger): Promise<void> {
  const size = await storage.size(artifact.storageKey);
  if (size === null) {
    res.status(410).end();
    return;
  }
  const etag = `"${artifact.sha1}"`;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', `attachment;filename=${artifact.filename}`);
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', artifact.createdAt.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  if (ifMatchFails(req.header('if-match'), etag)) {
    res.status(412).end();
    return;
  }
  let range: { start: number; end: number } | undefined;
  if (req.header('range')) {
    const parsed = req.range(size, { combine: true });
    if (parsed === -1) {
      res.setHeader('Content-Range', `bytes */${size}`);
      res.status(416).end();
      return;
    }
    // A malformed header (-2) or several ranges: answer with the whole file, as RFC 9110 allows.
    if (Array.isArray(parsed) && parsed.type === 'bytes' && parsed.length === 1) range = parsed[0];
  }
  const length = range ? range.end - range.start + 1 : size;
  res.setHeader('Content-Length', String(length));
  if (range) {
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.status(206);
  } else res.status(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(storage.read(artifact.storageKey, range), res);
  } catch (err) {
    // The device went away mid-download (it resumes with Range); nothing to answer.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err, artifactId: artifact.id }, 'artifact download failed');
  }
}

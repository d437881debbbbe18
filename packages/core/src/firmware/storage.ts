import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '../errors.js';

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Where artifact bytes live, addressed by content (sha256). Local disk by default; an
 * S3-compatible store implements the same four calls.
 */
export interface ArtifactStorage {
  /** Streams `body` in, hashing as it goes; refuses more than `maxBytes`. Same content, same key. */
  put(body: Readable, maxBytes: number): Promise<StoredObject>;
  size(key: string): Promise<number | null>;
  read(key: string, range?: ByteRange): Readable;
  remove(key: string): Promise<void>;
}

export class TooLargeError extends ValidationError {
  constructor(maxBytes: number) {
    super(`the artifact is larger than the limit of ${maxBytes} bytes`, 'file', { maxBytes });
  }
}

/** Content-addressed files under one directory: `<dir>/<sha256[0..2]>/<sha256>`. */
export class LocalDiskStorage implements ArtifactStorage {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new ValidationError('bad storage key', 'key');
    return path.join(this.dir, key.slice(0, 2), key);
  }

  async put(body: Readable, maxBytes: number): Promise<StoredObject> {
    const tmpDir = path.join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomBytes(8).toString('hex'));
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    const md5 = createHash('md5');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(new TooLargeError(maxBytes));
        sha256.update(chunk);
        sha1.update(chunk);
        md5.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, hasher, createWriteStream(tmp));
      const key = sha256.digest('hex');
      const dest = this.pathOf(key);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tmp, dest);
      return { key, size, sha256: key, sha1: sha1.digest('hex'), md5: md5.digest('hex') };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(key: string, range?: ByteRange): Readable {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

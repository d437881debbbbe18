import { randomBytes } from 'node:crypto';

/** A key prefix of its own for one test file, so queues and rate limits never collide. */
export function testRedisPrefix(): string {
  return `wtest-${randomBytes(4).toString('hex')}`;
}

export const TEST_REDIS_URL = process.env.WARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

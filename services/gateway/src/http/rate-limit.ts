import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '@warden/runtime';

/** Per-minute limiters for device endpoints; counters in Redis so every gateway instance shares them. */
export function redisLimiter(redis: Redis, keyPrefix: string, perMinute: number): RateLimiterRedis {
  // If Redis is unreachable, fall back to a per-process limit rather than refusing every device.
  const insuranceLimiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points: perMinute, duration: 60, insuranceLimiter });
}

/** Consumes one point for `key`; answers 429 with Retry-After when the limit is reached. */
export async function limit(limiter: RateLimiterAbstract, key: string, res: Response): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    res.setHeader('retry-after', String(wait));
    res.status(429).json({ error: { code: 'RATE_LIMITED', message: `rate limit exceeded; retry in ${wait} s` } });
    return false;
  }
}

/** Express middleware: a per-client-IP limit, applied before authentication. */
export function limitByIp(limiter: RateLimiterAbstract) {
  return (req: Request, res: Response, next: NextFunction) => {
    limit(limiter, req.ip ?? 'unknown', res).then((ok) => ok && next(), next);
  };
}

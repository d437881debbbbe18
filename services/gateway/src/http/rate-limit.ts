import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '@warden/runtime';

/** Per-minute limiters for device endpoints; counters in Redis so every gateway instance shares them. */
export function redisLimiter(redis: Redis, keyPrefix: string, perMinute: number): RateLimiterRedis {
  // If Redis is unreachable, fall back to a per-process limit rather than refusing every device.
  const insuranceLimiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points: perMinute, duration: 60, insuranceLimiter });
}

/** How a refusal is answered: a JSON error (telemetry), or no body at all (DDI, whose errors are empty). */
export type LimitBody = 'json' | 'empty';

/** Consumes one point for `key`; answers 429 with Retry-After when the limit is reached. */
export async function limit(limiter: RateLimiterAbstract, key: string, res: Response, body: LimitBody = 'json'): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    res.setHeader('retry-after', String(wait));
    if (body === 'empty') res.status(429).end();
    else res.status(429).json({ error: { code: 'RATE_LIMITED', message: `rate limit exceeded; retry in ${wait} s` } });
    return false;
  }
}

/** Express middleware: a per-client-IP limit, applied before authentication. */
export function limitByIp(limiter: RateLimiterAbstract, body: LimitBody = 'json') {
  return (req: Request, res: Response, next: NextFunction) => {
    limit(limiter, req.ip ?? 'unknown', res, body).then((ok) => ok && next(), next);
  };
}

/**
 * Failed device authentications per client IP (DDI and telemetry share one count, kept in Redis
 * for every gateway). Nothing is spent on a request that authenticates: a failure is counted, and
 * an IP past its limit is refused before authentication, from memory, until its minute is over, so
 * a flood of guessed or revoked tokens costs neither a token check nor a DLQ record.
 */
export class AuthFailureGuard {
  private readonly blocked = new Map<string, number>();

  constructor(private readonly limiter: RateLimiterAbstract) {}

  /** Seconds `ip` must wait before its credentials are checked again, or 0. */
  retryAfter(ip: string): number {
    const until = this.blocked.get(ip);
    if (until === undefined) return 0;
    const ms = until - Date.now();
    if (ms > 0) return Math.ceil(ms / 1000);
    this.blocked.delete(ip);
    return 0;
  }

  /** Counts a failure of `ip`; the seconds it must now wait when this one took it past the limit, else 0. */
  async failed(ip: string): Promise<number> {
    try {
      await this.limiter.consume(ip);
      return 0;
    } catch (err) {
      // Redis trouble falls back to a per-process count (see redisLimiter); anything else lets the 401 stand.
      if (!(err instanceof RateLimiterRes)) return 0;
      if (this.blocked.size >= 10_000) for (const [k, until] of this.blocked) if (until <= Date.now()) this.blocked.delete(k);
      this.blocked.set(ip, Date.now() + err.msBeforeNext);
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  }
}

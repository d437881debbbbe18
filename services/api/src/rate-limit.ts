import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@warden/runtime';

/**
 * Sign-in throttling: per client IP and per account, so neither a single client nor a botnet
 * aimed at one account gets unlimited guesses. Counters live in Redis (shared by all API instances).
 */
export class LoginLimiter {
  private readonly byIp: RateLimiterRedis;
  private readonly byAccount: RateLimiterRedis;

  constructor(redis: Redis, prefix: string, opts: { limit: number; windowSeconds: number }) {
    this.byIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:login-ip`,
      points: opts.limit * 3,
      duration: opts.windowSeconds,
      // While Redis is unreachable, count in memory rather than fail or stop limiting.
      insuranceLimiter: new RateLimiterMemory({ points: opts.limit * 3, duration: opts.windowSeconds }),
    });
    this.byAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:login-account`,
      points: opts.limit,
      duration: opts.windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: opts.limit, duration: opts.windowSeconds }),
    });
  }

  /** Counts one attempt; returns 0 when allowed, else the seconds to wait. */
  async consume(ip: string | null, email: string): Promise<number> {
    const account = email.trim().toLowerCase().slice(0, 200);
    try {
      await Promise.all([this.byIp.consume(ip ?? 'unknown'), this.byAccount.consume(account)]);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  /** A successful sign-in clears the account's counter (not the IP's). */
  async reset(email: string): Promise<void> {
    await this.byAccount.delete(email.trim().toLowerCase().slice(0, 200));
  }
}

/**
 * Requests per minute per client IP for the API as a whole, counted per API instance: a flood
 * guard on every request must not cost a Redis round trip. (Sign-in limits are shared in Redis.)
 */
export function createApiLimiter(perMinute: number): RateLimiterMemory {
  return new RateLimiterMemory({ points: perMinute, duration: 60 });
}

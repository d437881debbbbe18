import { Redis, type RedisOptions } from 'ioredis';

export { Redis } from 'ioredis';

/**
 * A Redis client. `maxRetriesPerRequest: null` is what BullMQ workers need; callers that must fail
 * fast (readiness checks, rate limits) get `forRequests: true`.
 */
export function createRedis(url: string, opts: { forRequests?: boolean } & RedisOptions = {}): Redis {
  const { forRequests, ...rest } = opts;
  return new Redis(url, {
    maxRetriesPerRequest: forRequests ? 1 : null,
    enableOfflineQueue: !forRequests,
    lazyConnect: false,
    ...rest,
  });
}

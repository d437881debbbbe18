import { loadConfig, type Config } from '@warden/config';
import { createTestDatabase, createRolloutFleet, testRedisPrefix, TEST_REDIS_URL, type RolloutFleet, type TestDatabase } from '@warden/testing';
import { createJobQueue, createLogger, createMetrics, createRedis, type BullJobQueue, type Redis } from '@warden/runtime';
import type { RolloutDeps } from '@warden/core/rollouts';
import { createSqlPool } from '@warden/db';
import { buildGatewayApp, type GatewayApp } from '../src/app.js';
import { createDdiModule } from '../src/ddi/ddi.module.js';

export interface Harness {
  tdb: TestDatabase;
  config: Config;
  redis: Redis;
  jobs: BullJobQueue;
  gateway: GatewayApp;
  url: string;
  fleet: RolloutFleet;
  deps: RolloutDeps;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A real gateway on a fresh database and Redis prefix, with a fleet of `devices` devices. */
export async function startHarness(devices: number, extraEnv: Record<string, string> = {}): Promise<Harness> {
  const tdb = await createTestDatabase();
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    ROLLOUT_EVALUATE_DEBOUNCE_MS: '25',
    ROLLOUT_SWEEP_SECONDS: '5',
    WORKER_LOCK_MS: '2000',
    DDI_POLL_SECONDS: '30',
    ...extraEnv,
  };
  const config = loadConfig(env);
  const redis = createRedis(TEST_REDIS_URL);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const sql = createSqlPool(tdb.url, 5);
  const fleet = await createRolloutFleet({ db: tdb.db, sql, config }, devices);
  const log = createLogger('gateway', 'silent');
  const ddi = createDdiModule({ config, db: tdb.db, sql, log, jobs, storage: fleet.firmware.storage });
  const gateway = buildGatewayApp({ config, log, metrics: createMetrics('gateway-test'), routers: [ddi.router] });
  const port = await gateway.listen(0, '127.0.0.1');
  const deps: RolloutDeps = { db: tdb.db, sql, config, jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs };
  return {
    tdb,
    config,
    redis,
    jobs,
    gateway,
    url: `http://127.0.0.1:${port}`,
    fleet,
    deps,
    env,
    async close() {
      await gateway.close();
      await ddi.stop();
      await jobs.close();
      redis.disconnect();
      await sql.end();
      await tdb.drop();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T | false | null | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}


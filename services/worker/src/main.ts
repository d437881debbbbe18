import { loadConfig } from '@warden/config';
import { createDb, createSqlPool } from '@warden/db';
import { createJobQueue, createLogger, createRedis, once, stopOnSignals } from '@warden/runtime';
import { createRolloutWorkers } from './rollouts.worker.js';

/** Wires config → clients → workers and returns `{ start, stop }`. */
export function createWorkerService(config = loadConfig()) {
  const log = createLogger('worker', config.logLevel);
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  const sql = createSqlPool(config.databaseUrl, 2);
  const redis = createRedis(config.redisUrl);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const deps = { db, sql, config, jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs };
  const rollouts = createRolloutWorkers({
    deps,
    jobs,
    connection: redis,
    prefix: config.redisPrefix,
    log,
    concurrency: config.rollouts.workerConcurrency,
    sweepSeconds: config.rollouts.sweepSeconds,
    lockMs: config.rollouts.workerLockMs,
  });
  return {
    log,
    async start() {
      await rollouts.start();
      log.info({ concurrency: config.rollouts.workerConcurrency }, 'worker running');
    },
    stop: once(async () => {
      await rollouts.stop(); // finishes in-flight jobs
      await jobs.close();
      await db.$disconnect();
      await sql.end();
      redis.disconnect();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = createWorkerService();
  stopOnSignals(service, service.log);
  await service.start();
}

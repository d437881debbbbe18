import { loadConfig } from '@warden/config';
import { LocalDiskStorage } from '@warden/core/firmware';
import { createDb, createSqlPool } from '@warden/db';
import { createJobQueue, createLogger, createRedis, once, stopOnSignals } from '@warden/runtime';
import { buildGateway } from './app.js';

/** Wires config → clients → gateway and returns `{ start, stop }`. */
export function createGatewayService(config = loadConfig()) {
  const log = createLogger('gateway', config.logLevel);
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  const sql = createSqlPool(config.databaseUrl, config.databasePoolSize);
  sql.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  const redis = createRedis(config.redisUrl);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const gateway = buildGateway({ config, db, sql, redis, log, jobs, storage: new LocalDiskStorage(config.firmware.storageDir) });
  return {
    log,
    async start() {
      const port = await gateway.listen();
      log.info({ url: `http://${config.gateway.host}:${port}` }, 'gateway listening');
      return port;
    },
    stop: once(async () => {
      await gateway.stop(); // stop accepting, finish in-flight requests, flush recorded polls
      await jobs.close();
      await db.$disconnect();
      await sql.end();
      redis.disconnect();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = createGatewayService();
  stopOnSignals(service, service.log);
  await service.start();
}

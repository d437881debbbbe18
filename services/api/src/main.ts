import { loadConfig } from '@warden/config';
import { createDb, createSqlPool } from '@warden/db';
import { createLogger, createRedis, stopOnSignals, once } from '@warden/runtime';
import { buildApi } from './app.js';

/** Wires config → clients → API and returns `{ start, stop }`. */
export async function createApiService(config = loadConfig()) {
  const log = createLogger('api', config.logLevel);
  const lost = (err: Error) => log.warn({ err }, 'an idle database connection was closed; the pool replaces it');
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize, onPoolError: lost });
  const sql = createSqlPool(config.databaseUrl, config.databasePoolSize, lost);
  const redis = createRedis(config.redisUrl, { forRequests: true });
  const api = await buildApi({ config, db, sql, redis, log });
  return {
    log,
    async start() {
      const port = await api.listen();
      log.info({ url: `http://${config.api.host}:${port}/graphql` }, 'api listening');
      return port;
    },
    stop: once(async () => {
      await api.stop(); // stops accepting, drains in-flight requests and sockets
      await db.$disconnect();
      await sql.end();
      redis.disconnect();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await createApiService();
  stopOnSignals(service, service.log);
  await service.start();
}

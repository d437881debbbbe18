/**
 * The gateway's DDI side on its own (no Kafka or MQTT needed), for the benchmark: the same app
 * builder and DDI module `services/gateway/src/main.ts` wires. Logs its URL.
 */
import { loadConfig } from '@warden/config';
import { LocalDiskStorage } from '@warden/core/firmware';
import { createDb, createSqlPool } from '@warden/db';
import { createJobQueue, createLogger, createMetrics, createRedis } from '@warden/runtime';
import { buildGatewayApp } from '../../services/gateway/src/app.js';
import { createDdiModule } from '../../services/gateway/src/ddi/ddi.module.js';

const config = loadConfig();
const log = createLogger('gateway', config.logLevel);
const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
const sql = createSqlPool(config.databaseUrl, config.databasePoolSize);
const redis = createRedis(config.redisUrl);
const jobs = createJobQueue(redis, config.redisPrefix);
const ddi = createDdiModule({ config, db, sql, log, jobs, storage: new LocalDiskStorage(config.firmware.storageDir) });
const http = buildGatewayApp({ config, log, metrics: createMetrics('gateway'), routers: [ddi.router] });
const port = await http.listen(config.gateway.port, config.gateway.host);
log.info({ url: `http://${config.gateway.host}:${port}` }, 'gateway listening');
process.on('SIGTERM', () => {
  void (async () => {
    await http.close();
    await ddi.stop();
    await jobs.close();
    await sql.end();
    await db.$disconnect();
    redis.disconnect();
    process.exit(0);
  })();
});

import { loadConfig, type Config } from '@warden/config';
import { LocalDiskStorage } from '@warden/core/firmware';
import { createDb, createSqlPool } from '@warden/db';
import {
  buildOpsHttp,
  connectWardenKafka,
  createJobQueue,
  createLogger,
  createMetrics,
  createProducer,
  createRedis,
  Gauge,
  once,
  stopOnSignals,
} from '@warden/runtime';
import { buildGatewayApp } from './app.js';
import { subscribeDeviceAuthEvictions } from './auth-eviction.js';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AuthFailureGuard, redisLimiter } from './http/rate-limit.js';
import { createDdiModule } from './ddi/ddi.module.js';
import { createTelemetryModule } from './telemetry/telemetry.module.js';

/** Wires config → clients → features → HTTP and MQTT, and returns `{ start, stop }`. */
export async function createGatewayService(config: Config = loadConfig()) {
  const log = createLogger('gateway', config.logLevel);
  const metrics = createMetrics('gateway');
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  const redis = createRedis(config.redisUrl, { forRequests: true });
  const kafka = await connectWardenKafka(config, log, `${config.kafkaClientId}-gateway`);
  const producer = createProducer(kafka, { retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();

  const sql = createSqlPool(config.databaseUrl, config.databasePoolSize);
  // Rollout wake-ups go through BullMQ, which wants a connection that waits out Redis blips.
  const queueRedis = createRedis(config.redisUrl);
  const jobs = createJobQueue(queueRedis, config.redisPrefix);
  // Per client IP, for DDI and telemetry alike: one count of failed device authentications (across
  // gateways) and one of requests before authentication (this process: it is on every request).
  const authFailures = new AuthFailureGuard(redisLimiter(redis, `${config.redisPrefix}:rl:auth-failures`, config.telemetry.authFailureLimit));
  const ipLimit = new RateLimiterMemory({ points: config.telemetry.ipRateLimit, duration: 60 });
  const ddi = createDdiModule({ config, db, sql, log, jobs, storage: new LocalDiskStorage(config.firmware.storageDir), authFailures, ipLimit });
  const telemetry = createTelemetryModule({ config, db, redis, producer, log, metrics, authFailures, ipLimit });
  // Containment revokes tokens and quarantines devices: both caches forget those devices at once.
  const evictions = subscribeDeviceAuthEvictions(redis, config.redisPrefix, log, (ids) => {
    ddi.evict(ids);
    telemetry.evict(ids);
  });
  new Gauge({
    name: 'warden_gateway_kafka_in_flight',
    help: 'Telemetry messages waiting for a Kafka acknowledgement',
    registers: [metrics],
    collect() {
      this.set(telemetry.inFlight());
    },
  });

  const http = buildGatewayApp({ config, log, metrics, routers: [telemetry.router, ddi.router] });
  const ops = buildOpsHttp({
    metrics,
    checks: [
      { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
      { name: 'redis', check: async () => void (await redis.ping()) },
      { name: 'kafka', check: async () => void (await admin.describeCluster()) },
      ...(telemetry.mqtt ? [{ name: 'mqtt', check: async () => { if (!telemetry.mqtt!.connected()) throw new Error('not connected'); } }] : []),
    ],
  });

  let opsPort: number | undefined;
  return {
    log,
    http,
    /** The port of /health, /ready and /metrics once started (GATEWAY_OPS_PORT, or the one picked for 0). */
    opsPort: () => opsPort,
    /** Connects to Kafka and MQTT, then listens (devices on `port`, operations on GATEWAY_OPS_PORT); resolves to the device port. */
    async start(port = config.gateway.port, host = config.gateway.host): Promise<number> {
      await Promise.all([producer.connect(), admin.connect(), evictions.ready]);
      await telemetry.mqtt?.start();
      opsPort = await ops.listen(config.gateway.opsPort, config.gateway.opsHost);
      const bound = await http.listen(port, host);
      log.info({ url: `http://${host}:${bound}`, ops: `http://${config.gateway.opsHost}:${opsPort}/ready` }, 'gateway listening');
      return bound;
    },
    // Drain order: stop taking input (HTTP, MQTT), let in-flight sends finish, then close clients.
    stop: once(async () => {
      await Promise.all([http.close(), telemetry.mqtt?.stop(), ops.close()]);
      await ddi.stop(); // flushes recorded polls
      await jobs.close();
      queueRedis.disconnect();
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      await db.$disconnect();
      await sql.end();
      evictions.close();
      redis.disconnect();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await createGatewayService();
  stopOnSignals(service, service.log);
  await service.start();
}

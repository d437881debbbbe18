import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Config } from '@warden/config';
import type { JobQueue } from '@warden/contracts';
import { PollRecorder } from '@warden/core/ddi';
import type { ArtifactStorage } from '@warden/core/firmware';
import type { Db, SqlPool } from '@warden/db';
import { checkReadiness, createMetrics, httpDuration, once, type DependencyCheck, type Logger, type Redis } from '@warden/runtime';
import { ddiRouter } from './ddi/router.js';

export interface GatewayOptions {
  config: Config;
  db: Db;
  /** Plain pg pool: the DDI poll path runs on it with prepared statements (db/sql/ddi.ts). */
  sql: SqlPool;
  redis: Redis;
  log: Logger;
  jobs: JobQueue;
  storage: ArtifactStorage;
  checks?: DependencyCheck[];
}

export interface Gateway {
  app: express.Express;
  server: Server;
  listen(port?: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the device edge (HTTP) without listening, so tests drive it in-process. */
export function buildGateway(opts: GatewayOptions): Gateway {
  const { config, db, redis, log } = opts;
  const metrics = createMetrics('gateway');
  const duration = httpDuration(metrics);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.api.trustProxy);
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;

  app.use((req, res, next) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? '', status: String(res.statusCode) }));
    next();
  });
  const readiness: DependencyCheck[] = [
    { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
    { name: 'redis', check: async () => void (await redis.ping()) },
    ...(opts.checks ?? []),
  ];
  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/ready', async (_req, res) => {
    const r = await checkReadiness(readiness);
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'unavailable', checks: r.checks });
  });
  app.get('/metrics', async (_req, res) => void res.type(metrics.contentType).send(await metrics.metrics()));

  const polls = new PollRecorder({ db }, (err) => log.warn({ err }, 'recording polls failed'));
  polls.start(1000);
  app.use(
    ddiRouter({
      deps: { db, sql: opts.sql, config, jobs: opts.jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs },
      storage: opts.storage,
      polls,
      log,
      tenant: config.ddi.tenant,
      pollSeconds: config.ddi.pollSeconds,
      publicUrl: config.ddi.publicUrl,
      authCacheMs: config.ddi.authCacheSeconds * 1000,
    }),
  );
  app.use((_req, res) => void res.status(404).end());

  return {
    app,
    server,
    listen: (port = config.gateway.port, host = config.gateway.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    stop: once(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await polls.stop();
    }),
  };
}

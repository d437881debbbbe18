import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import express, { type Router } from 'express';
import type { Config } from '@warden/config';
import { httpDuration, listenOn, once, type Logger, type Registry } from '@warden/runtime';

export interface GatewayAppOptions {
  config: Pick<Config, 'api'>;
  log: Logger;
  metrics: Registry;
  /** The device-facing routes of each feature (telemetry, DDI). */
  routers: Router[];
}


export interface GatewayApp {
  app: express.Express;
  server: Server;
  /** Listens on `port` (0 = any free port); resolves to the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Builds the gateway's HTTP side without listening, so tests drive it in-process. */
export function buildGatewayApp(opts: GatewayAppOptions): GatewayApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.config.api.trustProxy);
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  const duration = httpDuration(opts.metrics);

  app.use((req, res, next) => {
    const id = req.header('x-request-id');
    res.locals.requestId = id && /^[\w-]{1,64}$/.test(id) ? id : randomUUID();
    res.setHeader('x-request-id', res.locals.requestId as string);
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? req.path.split('/').slice(0, 3).join('/'), status: String(res.statusCode) }));
    next();
  });

  // A load balancer's liveness probe; readiness and metrics name internals and live on the ops port.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  for (const router of opts.routers) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use((err: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.log.error({ err }, 'unhandled error');
    res.status(status).json({ error: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', message: status === 500 ? 'Internal server error' : (err.message ?? 'bad request') } });
  });

  return {
    app,
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: once(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    ),
  };
}

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '@warden/config';
import { authenticate, type CoreDeps } from '@warden/core';
import { webhookSettings } from '@warden/core/webhooks';
import { ActorCache } from './actor-cache.js';
import { LiveSockets } from './live-sockets.js';
import type { Db, SqlPool } from '@warden/db';
import { buildOpsHttp, createMetrics, httpDuration, listenOn, once, type DependencyCheck, type Logger, type Redis } from '@warden/runtime';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { bearer, type ApiServices, type GraphQLContext } from './context.js';
import { formatError } from './errors.js';
import { jitGateway } from './jit.js';
import { costLimitPlugin, limitRules, subscriptionRules } from './limits.js';
import { createLoaders } from './loaders.js';
import { createApiLimiter, LoginLimiter } from './rate-limit.js';
import { buildSchema } from './graphql/schema.js';
import { createIncidentLiveHub } from './incident-live.js';
import { createRolloutServices } from './graphql/rollouts/services.js';
import { artifactsRouter } from './rest/artifacts.js';

export interface ApiOptions {
  config: Config;
  db: Db;
  sql: SqlPool;
  redis: Redis;
  log: Logger;
  /** Extra readiness checks (e.g. Kafka when a feature uses it). */
  checks?: DependencyCheck[];
  /** Extra services for resolvers (features add theirs). */
  services?: Partial<ApiServices>;
  schema?: GraphQLSchema;
}

export interface Api {
  app: express.Express;
  server: Server;
  /** Listens on `port` (0 = any free port); resolves to the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** The port of /health, /ready and /metrics once listening (API_OPS_PORT, or the one picked for 0). */
  opsPort(): number | undefined;
  stop(): Promise<void>;
}

const consoleDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');

function clientIp(req: Request): string | null {
  return req.ip ?? req.socket.remoteAddress ?? null;
}

/** Builds the API (Express + Apollo + graphql-ws) without listening, so tests drive it in-process. */
export async function buildApi(opts: ApiOptions): Promise<Api> {
  const { config, db, sql, redis, log } = opts;
  const deps: CoreDeps = { db, sql, config };
  const schema = opts.schema ?? buildSchema();
  const rollouts = await createRolloutServices(config, redis, log);
  const services: ApiServices = {
    ...rollouts.services,
    loginLimiter: new LoginLimiter(redis, config.redisPrefix, {
      limit: config.auth.loginRateLimit,
      windowSeconds: config.auth.loginRateWindowSeconds,
    }),
    actors: new ActorCache(deps, config.auth.actorCacheSeconds * 1000),
    incidentLive: createIncidentLiveHub(redis, config.redisPrefix, log),
    webhooks: webhookSettings(config.webhooks),
    playbookWaitPollMs: config.playbooks.waitPollMs,
    containment: { pubsub: redis, redisPrefix: config.redisPrefix, managementAllow: config.containment.managementAllow },
    ...opts.services,
  };
  const apiLimiter = createApiLimiter(config.api.rateLimitPerMinute);
  const metrics = createMetrics('api');
  const duration = httpDuration(metrics);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.api.trustProxy);
  const server = createServer(app);

  app.use((req, res, next) => {
    const id = req.header('x-request-id');
    res.locals.requestId = id && /^[\w-]{1,64}$/.test(id) ? id : randomUUID();
    res.setHeader('x-request-id', res.locals.requestId as string);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? req.path.split('/')[1] ?? '', status: String(res.statusCode) }));
    next();
  });

  const readinessChecks: DependencyCheck[] = [
    { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
    { name: 'redis', check: async () => void (await redis.ping()) },
    ...(opts.checks ?? []),
  ];
  // A load balancer's liveness probe; readiness and metrics name internals and live on the ops port.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const ops = buildOpsHttp({ metrics, checks: readinessChecks });
  let opsPort: number | undefined;

  const wss = new WebSocketServer({ server, path: '/graphql' });
  const sockets = new LiveSockets(services.actors, config.graphql.socketRecheckSeconds * 1000, log);
  services.actors.onForget(() => void sockets.recheck());
  sockets.start();
  const wsFormat = formatError(log);
  const wsCleanup = useServer(
    {
      schema,
      validate: subscriptionRules(config.graphql),
      // Errors leave as they do over HTTP: a code, no internals.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => wsFormat(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => wsFormat(e.toJSON(), e)),
      context: async (ctx): Promise<GraphQLContext> => {
        const params = (ctx.connectionParams ?? {}) as { authorization?: string; Authorization?: string };
        const token = bearer(params.authorization ?? params.Authorization);
        const ip = (ctx.extra as { request?: { socket?: { remoteAddress?: string } } }).request?.socket?.remoteAddress ?? null;
        const requestId = randomUUID();
        const actor = token ? await services.actors.resolve(token, { ip, requestId }) : null;
        return { deps, actor, token, loaders: createLoaders(db, sql), requestId, ip, userAgent: null, services };
      },
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as { authorization?: string; Authorization?: string };
        const token = bearer(params.authorization ?? params.Authorization);
        // Subscriptions carry live incident data: refuse anonymous sockets outright, and close the
        // socket once its credential stops working.
        if (!token || (await authenticate(deps, token)) === null) return false;
        const extra = ctx.extra as { socket: WebSocket; request?: { socket?: { remoteAddress?: string } } };
        sockets.add(extra.socket, token, extra.request?.socket?.remoteAddress ?? null);
        return true;
      },
    },
    wss,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    gateway: jitGateway(schema),
    introspection: config.graphql.introspection,
    validationRules: limitRules(config.graphql),
    formatError: formatError(log),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Responses are per-user and never cached: skip the per-field cache-hint bookkeeping.
      ApolloServerPluginCacheControlDisabled(),
      costLimitPlugin(() => schema, config.graphql.maxCost),
      {
        async serverWillStart() {
          return { drainServer: async () => wsCleanup.dispose() };
        },
      },
    ],
  });
  await apollo.start();

  app.use(
    '/graphql',
    async (req, res, next) => {
      try {
        await apiLimiter.consume(clientIp(req) ?? 'unknown');
        next();
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) return next(err);
        const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        res.setHeader('retry-after', String(wait));
        res.status(429).json({ errors: [{ message: `rate limit exceeded; retry in ${wait} s`, extensions: { code: 'RATE_LIMITED' } }] });
      }
    },
    express.json({ limit: config.api.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const token = bearer(req.header('authorization'));
        const ip = clientIp(req);
        const requestId = res.locals.requestId as string;
        const actor = token ? await services.actors.resolve(token, { ip, requestId }) : null;
        return { deps, actor, token, loaders: createLoaders(db, sql), requestId, ip, userAgent: req.header('user-agent') ?? null, services };
      },
    }),
  );

  // Firmware uploads stream raw bytes, which GraphQL does not carry well.
  app.use('/api/v1', artifactsRouter({ deps, services, log }));

  // The console and the GraphQL IDE: static files built from services/console.
  if (existsSync(consoleDist)) {
    app.get('/ide', (_req, res) => res.sendFile(path.join(consoleDist, 'ide.html')));
    app.use(express.static(consoleDist, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!graphql|health|ready|metrics|api\/).*/, (_req, res) => res.sendFile(path.join(consoleDist, 'index.html')));
  }

  // Body-parser errors (malformed JSON, body too large) are the caller's, with their own status.
  app.use((err: { status?: number; type?: string; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'unhandled error');
    const message = status === 500 ? 'Internal server error' : err.type === 'entity.too.large' ? `request body larger than ${config.api.bodyLimit}` : (err.message ?? 'bad request');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  return {
    app,
    server,
    async listen(port = config.api.port, host = config.api.host) {
      opsPort = await ops.listen(config.api.opsPort, config.api.opsHost);
      return listenOn(server, port, host);
    },
    opsPort: () => opsPort,
    stop: once(async () => {
      sockets.stop();
      await ops.close();
      await apollo.stop();
      wss.close();
      await services.incidentLive.close();
      await rollouts.close();
    }),
  };
}

import { z } from 'zod';

/**
 * Every environment variable Warden reads, with its default and validation. Nothing else in the
 * code base reads `process.env`. Parse once at start-up with {@link loadConfig}.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgresql://postgres@127.0.0.1:5432/warden'),
  /** Connections per process to Postgres. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and BullMQ queue, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w:-]+$/).default('warden'),
  /** Comma-separated Kafka bootstrap servers. Unset: the dev broker that `npm start` runs. */
  KAFKA_BROKERS: list.optional(),
  KAFKA_CLIENT_ID: z.string().default('warden'),
  MQTT_URL: z.string().default('mqtt://127.0.0.1:1883'),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(4000),
  /** Public base URL of the API, used in links the API prints. */
  API_PUBLIC_URL: z.url().optional(),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port.default(4100),
  /** Hops of reverse proxies in front of the services, for the client IP in audit rows. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),

  /**
   * Server-side secret mixed into every stored token hash (HMAC-SHA256), so a leaked database
   * alone does not allow checking guessed tokens. Required in production.
   */
  TOKEN_PEPPER: z.string().min(16).optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** Argon2id memory cost in KiB (OWASP: at least 19 MiB). */
  PASSWORD_MEMORY_KIB: z.coerce.number().int().min(1024).default(19 * 1024),
  PASSWORD_ITERATIONS: z.coerce.number().int().min(1).default(2),
  /** Seconds an API instance may remember who a bearer token belongs to (0: ask the database every time). */
  AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(2),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Requests per minute per client for the GraphQL endpoint. */
  API_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),

  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(20000),
  GRAPHQL_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  /** Introspection (and the IDE) is on outside production unless set. */
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** Largest request body (bulk imports go through GraphQL). */
  API_BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/).default('20mb'),

  /** Demo office for `npm start`: PRNG seed, size (1 = ~2,000 devices) and admin password. */
  DEMO_SEED: z.coerce.number().int().default(42),
  DEMO_SCALE: z.coerce.number().positive().max(20).default(1),
  /** Password of the seeded admin; a random one is generated and printed once when unset. */
  DEMO_ADMIN_PASSWORD: z.string().min(12).optional(),
});

export type Env = z.input<typeof env>;

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: z.output<typeof env>['LOG_LEVEL'];
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  redisPrefix: string;
  kafkaBrokers: string[] | undefined;
  kafkaClientId: string;
  mqttUrl: string;
  api: { host: string; port: number; publicUrl: string | undefined; trustProxy: number; bodyLimit: string; rateLimitPerMinute: number };
  gateway: { host: string; port: number };
  auth: {
    tokenPepper: string;
    sessionTtlHours: number;
    passwordMemoryKib: number;
    passwordIterations: number;
    loginRateLimit: number;
    loginRateWindowSeconds: number;
    actorCacheSeconds: number;
  };
  graphql: { maxDepth: number; maxCost: number; maxPageSize: number; maxAliases: number; introspection: boolean };
  demo: { seed: number; scale: number; adminPassword: string | undefined };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates the environment; throws a {@link ConfigError} naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = env.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.TOKEN_PEPPER) {
    throw new ConfigError('invalid configuration:\n  TOKEN_PEPPER: required in production (16+ random characters)');
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    kafkaBrokers: e.KAFKA_BROKERS,
    kafkaClientId: e.KAFKA_CLIENT_ID,
    mqttUrl: e.MQTT_URL,
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl: e.API_PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      bodyLimit: e.API_BODY_LIMIT,
      rateLimitPerMinute: e.API_RATE_LIMIT,
    },
    gateway: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT },
    auth: {
      // A development-only default keeps `npm start` zero-configuration; production refuses it above.
      tokenPepper: e.TOKEN_PEPPER ?? 'warden-development-pepper-not-secret',
      sessionTtlHours: e.SESSION_TTL_HOURS,
      passwordMemoryKib: e.PASSWORD_MEMORY_KIB,
      passwordIterations: e.PASSWORD_ITERATIONS,
      loginRateLimit: e.LOGIN_RATE_LIMIT,
      loginRateWindowSeconds: e.LOGIN_RATE_WINDOW_SECONDS,
      actorCacheSeconds: e.AUTH_CACHE_SECONDS,
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxPageSize: e.GRAPHQL_MAX_PAGE_SIZE,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    },
    demo: { seed: e.DEMO_SEED, scale: e.DEMO_SCALE, adminPassword: e.DEMO_ADMIN_PASSWORD },
  };
}

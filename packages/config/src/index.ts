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

  /** Where firmware artifacts are stored (local-disk storage), relative to the working directory. */
  FIRMWARE_STORAGE_DIR: z.string().default('.warden/artifacts'),
  /** Largest firmware artifact accepted, in MiB. */
  FIRMWARE_MAX_MB: z.coerce.number().positive().default(1024),
  /** Ed25519 private key (PKCS#8 PEM) that signs artifacts. Unset: a development key in .warden/. */
  FIRMWARE_SIGNING_KEY: z.string().optional(),
  /** Path of the PEM file with the signing key (created in development when missing). */
  FIRMWARE_SIGNING_KEY_FILE: z.string().default('.warden/firmware-signing-key.pem'),

  /** DDI tenant name in the device URL (`/{tenant}/controller/v1/...`), case-insensitive. */
  DDI_TENANT: z.string().regex(/^[\w.-]+$/).default('default'),
  /** How often devices are told to poll, in seconds (sent as HH:MM:SS). */
  DDI_POLL_SECONDS: z.coerce.number().int().min(1).max(86_399).default(300),
  /** Public base URL of the gateway for links in DDI responses. Unset: taken from the request. */
  DDI_PUBLIC_URL: z.url().optional(),
  /** Seconds a verified device token is trusted without a database check (0: check every request). */
  DDI_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(5),

  /** Feedback within this many ms wakes the rollout orchestrator once. */
  ROLLOUT_EVALUATE_DEBOUNCE_MS: z.coerce.number().int().min(0).default(250),
  /** Safety sweep of running rollouts (in case a wake-up was lost), in seconds. */
  ROLLOUT_SWEEP_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Jobs a worker process runs at once per queue. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  /** How long a worker holds a job before another worker may take it over (crash recovery), in ms. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  // -- telemetry ---------------------------------------------------------------------------------
  /** Partitions of warden.telemetry.v1 when Warden creates it (the most stream processors that help). */
  KAFKA_TELEMETRY_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  KAFKA_COMPRESSION: z.enum(['none', 'gzip', 'snappy']).default('snappy'),
  /** Partitions of each topic on the dev broker that `npm start` runs. */
  DEV_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
  /** Largest telemetry request body and MQTT payload. */
  TELEMETRY_BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/).default('1mb'),
  TELEMETRY_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Messages accepted but not yet acknowledged by Kafka, per gateway; beyond it devices get 429. */
  TELEMETRY_MAX_IN_FLIGHT: z.coerce.number().int().min(100).default(50_000),
  /** How long the gateway waits to gather messages into one Kafka request. */
  TELEMETRY_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(10),
  /** How long the gateway waits for Kafka before answering 503. */
  TELEMETRY_PRODUCE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** How far ahead of the gateway clock a device timestamp may be. */
  TELEMETRY_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How long a device/gateway token lookup is cached (a revoked token works at most this long). */
  DEVICE_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Telemetry requests per minute per device token, and per gateway token. */
  TELEMETRY_RATE_LIMIT_DEVICE: z.coerce.number().int().min(1).default(600),
  TELEMETRY_RATE_LIMIT_GATEWAY: z.coerce.number().int().min(1).default(60_000),
  /** Requests per minute per client IP on device endpoints, before authentication. */
  DEVICE_IP_RATE_LIMIT: z.coerce.number().int().min(1).default(120_000),
  /** The MQTT bridge subscribes to this topic filter (`+` is the device id); `$share/...` to scale out. */
  MQTT_TELEMETRY_TOPIC: z.string().default('$share/warden-gateway/warden/devices/+/telemetry'),
  MQTT_ENABLED: bool.default(true),
  STREAM_GROUP_ID: z.string().default('warden-stream'),
  /** Partitions one stream processor reads at once; their records are written together (group commit). */
  STREAM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** Postgres transactions one stream processor runs at once. */
  STREAM_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
  /** A stream processor that stops heartbeating this long loses its partitions to the others. */
  STREAM_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  STREAM_HOST: z.string().default('127.0.0.1'),
  /** Port of the stream processor's /health, /ready and /metrics. */
  STREAM_PORT: port.default(4200),
  /** Run detection in the stream processor (off: telemetry is stored without detection, e.g. to measure its cost). */
  DETECTION_ENABLED: bool.default(true),
  /** How often a stream processor re-reads the detection configuration and threat-intel list. */
  DETECTION_RELOAD_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** An alert joins an open incident of its segment and rule when it comes within this many seconds of its last alert. */
  INCIDENT_CORRELATION_WINDOW_SECONDS: z.coerce.number().int().min(60).max(604_800).default(1_800),
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  TELEMETRY_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  /** Expected seconds between reports for devices that do not announce their interval. */
  LIVENESS_DEFAULT_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** OFFLINE after this many expected intervals of silence. */
  LIVENESS_GRACE_FACTOR: z.coerce.number().min(1).default(3),
  LIVENESS_SWEEP_SECONDS: z.coerce.number().min(0.1).default(15),
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
  firmware: { storageDir: string; maxBytes: number; signingKeyPem: string | undefined; signingKeyFile: string };
  ddi: { tenant: string; pollSeconds: number; publicUrl: string | undefined; authCacheSeconds: number };
  rollouts: { evaluateDebounceMs: number; sweepSeconds: number; workerConcurrency: number; workerLockMs: number };
  kafka: { telemetryPartitions: number; compression: 'none' | 'gzip' | 'snappy'; devPartitions: number };
  telemetry: {
    bodyLimit: string;
    maxBatch: number;
    maxInFlight: number;
    lingerMs: number;
    produceTimeoutMs: number;
    maxClockSkewSeconds: number;
    authCacheSeconds: number;
    rateLimitDevice: number;
    rateLimitGateway: number;
    ipRateLimit: number;
    mqttTopic: string;
    mqttEnabled: boolean;
    retentionDays: number;
    partitionsAheadDays: number;
  };
  stream: { groupId: string; concurrency: number; writers: number; sessionTimeoutMs: number; host: string; port: number };
  detection: { enabled: boolean; reloadMs: number; correlationWindowSeconds: number };
  liveness: { defaultIntervalSeconds: number; graceFactor: number; sweepSeconds: number };
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
    firmware: {
      storageDir: e.FIRMWARE_STORAGE_DIR,
      maxBytes: Math.floor(e.FIRMWARE_MAX_MB * 1024 * 1024),
      signingKeyPem: e.FIRMWARE_SIGNING_KEY,
      signingKeyFile: e.FIRMWARE_SIGNING_KEY_FILE,
    },
    ddi: { tenant: e.DDI_TENANT, pollSeconds: e.DDI_POLL_SECONDS, publicUrl: e.DDI_PUBLIC_URL, authCacheSeconds: e.DDI_AUTH_CACHE_SECONDS },
    rollouts: {
      evaluateDebounceMs: e.ROLLOUT_EVALUATE_DEBOUNCE_MS,
      sweepSeconds: e.ROLLOUT_SWEEP_SECONDS,
      workerConcurrency: e.WORKER_CONCURRENCY,
      workerLockMs: e.WORKER_LOCK_MS,
    },
    kafka: { telemetryPartitions: e.KAFKA_TELEMETRY_PARTITIONS, compression: e.KAFKA_COMPRESSION, devPartitions: e.DEV_KAFKA_PARTITIONS },
    telemetry: {
      bodyLimit: e.TELEMETRY_BODY_LIMIT,
      maxBatch: e.TELEMETRY_MAX_BATCH,
      maxInFlight: e.TELEMETRY_MAX_IN_FLIGHT,
      lingerMs: e.TELEMETRY_LINGER_MS,
      produceTimeoutMs: e.TELEMETRY_PRODUCE_TIMEOUT_MS,
      maxClockSkewSeconds: e.TELEMETRY_MAX_CLOCK_SKEW_SECONDS,
      authCacheSeconds: e.DEVICE_AUTH_CACHE_SECONDS,
      rateLimitDevice: e.TELEMETRY_RATE_LIMIT_DEVICE,
      rateLimitGateway: e.TELEMETRY_RATE_LIMIT_GATEWAY,
      ipRateLimit: e.DEVICE_IP_RATE_LIMIT,
      mqttTopic: e.MQTT_TELEMETRY_TOPIC,
      mqttEnabled: e.MQTT_ENABLED,
      retentionDays: e.TELEMETRY_RETENTION_DAYS,
      partitionsAheadDays: e.TELEMETRY_PARTITIONS_AHEAD_DAYS,
    },
    detection: { enabled: e.DETECTION_ENABLED, reloadMs: e.DETECTION_RELOAD_MS, correlationWindowSeconds: e.INCIDENT_CORRELATION_WINDOW_SECONDS },
    stream: {
      groupId: e.STREAM_GROUP_ID,
      concurrency: e.STREAM_CONCURRENCY,
      writers: e.STREAM_WRITERS,
      sessionTimeoutMs: e.STREAM_SESSION_TIMEOUT_MS,
      host: e.STREAM_HOST,
      port: e.STREAM_PORT,
    },
    liveness: {
      defaultIntervalSeconds: e.LIVENESS_DEFAULT_INTERVAL_SECONDS,
      graceFactor: e.LIVENESS_GRACE_FACTOR,
      sweepSeconds: e.LIVENESS_SWEEP_SECONDS,
    },
    demo: { seed: e.DEMO_SEED, scale: e.DEMO_SCALE, adminPassword: e.DEMO_ADMIN_PASSWORD },
  };
}

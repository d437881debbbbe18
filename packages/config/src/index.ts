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
  /** The API's /health, /ready and /metrics, apart from the public port (for probes and Prometheus). */
  API_OPS_HOST: z.string().default('127.0.0.1'),
  API_OPS_PORT: port.default(4001),
  /** Public base URL of the API, used in links the API prints. */
  API_PUBLIC_URL: z.url().optional(),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port.default(4100),
  /** The gateway's /health, /ready and /metrics, apart from the device port (for probes and Prometheus, not devices). */
  GATEWAY_OPS_HOST: z.string().default('127.0.0.1'),
  GATEWAY_OPS_PORT: port.default(4101),
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
  /** How often open subscription sockets have their credentials checked again (a revoked one is closed). */
  GRAPHQL_SOCKET_RECHECK_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
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
  /**
   * Seconds a device's poll answer is kept in memory (0: query every poll). Changes reach the
   * gateway at once through PostgreSQL notifications; this only bounds staleness if one is lost.
   */
  DDI_VIEW_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(300),

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
  /**
   * Failed device authentications per minute per client IP (DDI and telemetry over HTTP, counted
   * across gateways); past it the IP gets 429 with Retry-After, before its credentials are checked,
   * until the minute is over. High enough for a site behind one address whose devices wait for
   * rotated credentials.
   */
  DEVICE_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** The MQTT bridge subscribes to this topic filter (`+` is the device id); `$share/...` to scale out. */
  MQTT_TELEMETRY_TOPIC: z.string().default('$share/warden-gateway/warden/devices/+/telemetry'),
  MQTT_ENABLED: bool.default(true),
  STREAM_GROUP_ID: z.string().default('warden-stream'),
  /** Partitions one stream processor reads at once; their records are written together (group commit). */
  STREAM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** Postgres transactions one stream processor runs at once. */
  STREAM_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * Most records one stream transaction takes. Transactions take what arrived while the previous
   * one was written, so they reach this size only with a backlog; larger ones write fewer rows per
   * message (a device's state once per transaction) but hold more in memory.
   */
  STREAM_BATCH_MAX_RECORDS: z.coerce.number().int().min(1).max(100_000).default(20_000),
  /** A stream processor that stops heartbeating this long loses its partitions to the others. */
  STREAM_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  STREAM_HOST: z.string().default('127.0.0.1'),
  /** Port of the stream processor's /health, /ready and /metrics. */
  STREAM_PORT: port.default(4200),
  /**
   * Store telemetry in this stream processor (off: a detection-only processor). Running storage and
   * detection as separate processes keeps an alert from waiting behind storage's work on one event loop.
   */
  STREAM_STORAGE_ENABLED: bool.default(true),
  /** Run detection in the stream processor (off: telemetry is stored without detection, e.g. to measure its cost). */
  DETECTION_ENABLED: bool.default(true),
  /** The detection consumer group, which reads telemetry apart from storage (default: STREAM_GROUP_ID + "-detection"). */
  DETECTION_GROUP_ID: z.string().min(1).optional(),
  /** How often a stream processor re-reads the detection configuration and threat-intel list. */
  DETECTION_RELOAD_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** How often detection writes the device states it holds in memory, then commits the offsets they cover (a crash replays at most this much). */
  DETECTION_CHECKPOINT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  /** An alert joins an open incident of its segment and rule when it comes within this many seconds of its last alert. */
  INCIDENT_CORRELATION_WINDOW_SECONDS: z.coerce.number().int().min(60).max(604_800).default(1_800),
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  TELEMETRY_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  /** Expected seconds between reports for devices that do not announce their interval. */
  LIVENESS_DEFAULT_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** OFFLINE after this many expected intervals of silence. */
  LIVENESS_GRACE_FACTOR: z.coerce.number().min(1).default(3),
  LIVENESS_SWEEP_SECONDS: z.coerce.number().min(0.1).default(15),
  /**
   * host:port endpoints a contained device must keep reaching (its management channel: DDI,
   * telemetry, MQTT), told to enforcement connectors and device agents. Unset: the gateway
   * (DDI_PUBLIC_URL or GATEWAY_HOST:GATEWAY_PORT) and the MQTT broker of MQTT_URL.
   */
  CONTAINMENT_MANAGEMENT_ALLOW: list.optional(),
  /** How often the worker looks for overdue expiries and undelivered containments. */
  CONTAINMENT_SWEEP_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  // -- playbooks and webhooks ------------------------------------------------------------------------
  /** Safety sweep of playbook runs, recent incidents' triggers and overdue webhook deliveries, in seconds. */
  PLAYBOOK_SWEEP_SECONDS: z.coerce.number().int().min(1).default(30),
  /** How often a playbook step waiting until an incident condition holds looks again, in ms (incident changes also wake it). */
  PLAYBOOK_WAIT_POLL_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * Key (32+ characters) that encrypts webhook signing secrets at rest (AES-256-GCM). Unset: derived
   * from TOKEN_PEPPER. Changing it makes stored secrets unreadable: rotate every subscription's secret.
   */
  WEBHOOK_SECRET_KEY: z.string().min(32).optional(),
  /**
   * Private, loopback or link-local networks (CIDRs) webhooks may reach. Public addresses are always
   * allowed; everything else is refused unless listed here (e.g. `10.40.0.0/16` for an internal SOAR,
   * `127.0.0.0/8` in tests).
   */
  WEBHOOK_ALLOW_NETWORKS: list.pipe(z.array(z.union([z.cidrv4(), z.cidrv6()], { error: 'a comma-separated list of CIDRs, e.g. 10.40.0.0/16,127.0.0.0/8' }))).default([]),
  /** How long one delivery attempt may take, in ms. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Attempts per delivery before it is FAILED. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  /** Delay before the second attempt, in ms; each further attempt waits 3× longer (capped at an hour). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  // -- simulator (services/simulator) -------------------------------------------------------------
  /** Run the virtual office with `npm start`. */
  SIMULATOR_ENABLED: bool.default(true),
  /** Devices the simulator runs (default: every device of the roster, i.e. the whole demo office). */
  SIM_DEVICES: z.coerce.number().int().min(1).max(50_000).optional(),
  /** Seed of every random choice the simulator makes (same seed, same office, same outbreak). */
  SIM_SEED: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** The device roster (identities and tokens) the demo seed writes and the simulator reads. Secret: mode 0600. */
  SIM_ROSTER_FILE: z.string().min(1).default('.warden/simulator/roster.json'),
  /** The gateway devices talk to. Unset: http://GATEWAY_HOST:GATEWAY_PORT. */
  SIM_GATEWAY_URL: z.url().optional(),
  /** HTTP keep-alive connections the simulator opens to the gateway. */
  SIM_HTTP_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(32),
  /** Telemetry over HTTP (batched) or MQTT. */
  SIM_TELEMETRY_TRANSPORT: z.enum(['http', 'mqtt']).default('http'),
  /** Seconds between a device's telemetry reports. */
  SIM_TELEMETRY_SECONDS: z.coerce.number().min(0.5).max(3600).default(30),
  /** HTTP telemetry: batched per site gateway with its GatewayToken, or one request per device with its own token. */
  SIM_TELEMETRY_AUTH: z.enum(['gateway', 'device']).default('gateway'),
  /** Share of updates that end in a reported failure, and that go silent (the device bricks and stops talking). */
  SIM_UPDATE_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.02),
  SIM_UPDATE_SILENCE_RATE: z.coerce.number().min(0).max(1).default(0.01),
  /** Mean seconds an install takes after the download (±50 %). */
  SIM_INSTALL_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  /** Devices obey containment (learnt from their retained MQTT containment topic); off: the uncontained scenario. */
  SIM_CONTAINMENT: bool.default(true),
  /** Run the outbreak scenario with `npm start`. */
  SIM_OUTBREAK: bool.default(true),
  /** Seconds after start-up the outbreak begins under `npm start` (0: only on command). */
  SIM_OUTBREAK_DELAY_SECONDS: z.coerce.number().min(0).max(86_400).default(90),
  /** Serial, controller id or device id the worm enters through (default: a seeded pick among vulnerable devices). */
  SIM_OUTBREAK_ENTRY: z.string().min(1).max(128).optional(),
  /** Scans per infected device per round, and seconds per round. */
  SIM_OUTBREAK_SPREAD_RATE: z.coerce.number().int().min(1).max(100).default(3),
  SIM_OUTBREAK_ROUND_SECONDS: z.coerce.number().min(0.1).max(3600).default(10),
  /** Chance that reaching a vulnerable device infects it. */
  SIM_OUTBREAK_INFECT_CHANCE: z.coerce.number().gt(0).max(1).default(0.4),
  /** Share of scans aimed at other segments. */
  SIM_OUTBREAK_CROSS_SEGMENT: z.coerce.number().min(0).max(1).default(0.02),
  /** Vulnerable firmware: `vendor/model<version`, comma-separated (e.g. `Lumen/A19 Smart Bulb<2.5.0`). */
  SIM_OUTBREAK_VULNERABLE: list
    .pipe(z.array(z.string().regex(/^[^<,]+\/[^<,]+<\d[\w.+-]*$/, 'each entry is vendor/model<version, e.g. Lumen/A19 Smart Bulb<2.5.0')).min(1))
    .default(['Lumen/A19 Smart Bulb<2.5.0']),
  /** The outside address infected devices send data to. */
  SIM_OUTBREAK_EXFIL: z.union([z.ipv4(), z.ipv6()]).default('203.0.113.66'),
  /** Where the simulator answers GET /status and POST /outbreak. */
  SIM_CONTROL_HOST: z.string().default('127.0.0.1'),
  SIM_CONTROL_PORT: port.default(4300),
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
  api: { host: string; port: number; opsHost: string; opsPort: number; publicUrl: string | undefined; trustProxy: number; bodyLimit: string; rateLimitPerMinute: number };
  gateway: { host: string; port: number; opsHost: string; opsPort: number };
  auth: {
    tokenPepper: string;
    sessionTtlHours: number;
    passwordMemoryKib: number;
    passwordIterations: number;
    loginRateLimit: number;
    loginRateWindowSeconds: number;
    actorCacheSeconds: number;
  };
  graphql: { maxDepth: number; maxCost: number; maxPageSize: number; maxAliases: number; introspection: boolean; socketRecheckSeconds: number };
  firmware: { storageDir: string; maxBytes: number; signingKeyPem: string | undefined; signingKeyFile: string };
  ddi: { tenant: string; pollSeconds: number; publicUrl: string | undefined; authCacheSeconds: number; viewCacheSeconds: number };
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
    authFailureLimit: number;
    mqttTopic: string;
    mqttEnabled: boolean;
    retentionDays: number;
    partitionsAheadDays: number;
  };
  stream: { storage: boolean; groupId: string; concurrency: number; writers: number; batchMaxRecords: number; sessionTimeoutMs: number; host: string; port: number };
  detection: { enabled: boolean; groupId: string; reloadMs: number; checkpointMs: number; correlationWindowSeconds: number };
  liveness: { defaultIntervalSeconds: number; graceFactor: number; sweepSeconds: number };
  containment: { managementAllow: { host: string; port: number }[]; sweepSeconds: number };
  playbooks: { sweepSeconds: number; waitPollMs: number };
  webhooks: { secretKey: string; allowNetworks: string[]; timeoutMs: number; maxAttempts: number; retryBaseMs: number };
  demo: { seed: number; scale: number; adminPassword: string | undefined };
  simulator: SimulatorConfig;
}

export interface SimulatorConfig {
  enabled: boolean;
  devices: number | undefined;
  seed: number;
  rosterFile: string;
  gatewayUrl: string;
  httpConnections: number;
  telemetry: { transport: 'http' | 'mqtt'; intervalSeconds: number; auth: 'gateway' | 'device' };
  updates: { failureRate: number; silenceRate: number; installSeconds: number };
  containment: boolean;
  outbreak: {
    enabled: boolean;
    delaySeconds: number;
    entry: string | undefined;
    spreadRate: number;
    roundSeconds: number;
    infectChance: number;
    crossSegmentShare: number;
    vulnerable: { model: string; below: string }[];
    exfil: string;
  };
  control: { host: string; port: number };
}

function hostPort(value: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(value.includes('://') ? value : `tcp://${value}`);
  const port = u.port ? Number(u.port) : defaultPort;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

function managementAllow(e: z.output<typeof env>): { host: string; port: number }[] {
  if (e.CONTAINMENT_MANAGEMENT_ALLOW) {
    return e.CONTAINMENT_MANAGEMENT_ALLOW.map((v) => {
      const hp = hostPort(v, 0);
      if (!hp.host || !hp.port) throw new ConfigError(`invalid configuration:\n  CONTAINMENT_MANAGEMENT_ALLOW: ${v} is not host:port`);
      return hp;
    });
  }
  const gateway = e.DDI_PUBLIC_URL
    ? hostPort(e.DDI_PUBLIC_URL, e.DDI_PUBLIC_URL.startsWith('https:') ? 443 : 80)
    : { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT };
  // A gateway on an ephemeral port (GATEWAY_PORT=0) has no address to name until it listens; such a
  // deployment names its endpoints in CONTAINMENT_MANAGEMENT_ALLOW or DDI_PUBLIC_URL.
  return [gateway, hostPort(e.MQTT_URL, e.MQTT_URL.startsWith('mqtts:') ? 8883 : 1883)].filter((hp) => hp.port > 0);
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
  if (!e.STREAM_STORAGE_ENABLED && !e.DETECTION_ENABLED) {
    throw new ConfigError('invalid configuration:\n  STREAM_STORAGE_ENABLED: a stream processor needs storage or detection (DETECTION_ENABLED) on');
  }
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
      opsHost: e.API_OPS_HOST,
      opsPort: e.API_OPS_PORT,
      publicUrl: e.API_PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      bodyLimit: e.API_BODY_LIMIT,
      rateLimitPerMinute: e.API_RATE_LIMIT,
    },
    gateway: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT, opsHost: e.GATEWAY_OPS_HOST, opsPort: e.GATEWAY_OPS_PORT },
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
      socketRecheckSeconds: e.GRAPHQL_SOCKET_RECHECK_SECONDS,
    },
    firmware: {
      storageDir: e.FIRMWARE_STORAGE_DIR,
      maxBytes: Math.floor(e.FIRMWARE_MAX_MB * 1024 * 1024),
      signingKeyPem: e.FIRMWARE_SIGNING_KEY,
      signingKeyFile: e.FIRMWARE_SIGNING_KEY_FILE,
    },
    ddi: { tenant: e.DDI_TENANT, pollSeconds: e.DDI_POLL_SECONDS, publicUrl: e.DDI_PUBLIC_URL, authCacheSeconds: e.DDI_AUTH_CACHE_SECONDS, viewCacheSeconds: e.DDI_VIEW_CACHE_SECONDS },
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
      authFailureLimit: e.DEVICE_AUTH_FAILURE_LIMIT,
      mqttTopic: e.MQTT_TELEMETRY_TOPIC,
      mqttEnabled: e.MQTT_ENABLED,
      retentionDays: e.TELEMETRY_RETENTION_DAYS,
      partitionsAheadDays: e.TELEMETRY_PARTITIONS_AHEAD_DAYS,
    },
    detection: { enabled: e.DETECTION_ENABLED, groupId: e.DETECTION_GROUP_ID ?? `${e.STREAM_GROUP_ID}-detection`, reloadMs: e.DETECTION_RELOAD_MS, checkpointMs: e.DETECTION_CHECKPOINT_MS, correlationWindowSeconds: e.INCIDENT_CORRELATION_WINDOW_SECONDS },
    stream: {
      storage: e.STREAM_STORAGE_ENABLED,
      groupId: e.STREAM_GROUP_ID,
      concurrency: e.STREAM_CONCURRENCY,
      writers: e.STREAM_WRITERS,
      batchMaxRecords: e.STREAM_BATCH_MAX_RECORDS,
      sessionTimeoutMs: e.STREAM_SESSION_TIMEOUT_MS,
      host: e.STREAM_HOST,
      port: e.STREAM_PORT,
    },
    liveness: {
      defaultIntervalSeconds: e.LIVENESS_DEFAULT_INTERVAL_SECONDS,
      graceFactor: e.LIVENESS_GRACE_FACTOR,
      sweepSeconds: e.LIVENESS_SWEEP_SECONDS,
    },
    containment: { managementAllow: managementAllow(e), sweepSeconds: e.CONTAINMENT_SWEEP_SECONDS },
    playbooks: { sweepSeconds: e.PLAYBOOK_SWEEP_SECONDS, waitPollMs: e.PLAYBOOK_WAIT_POLL_MS },
    webhooks: {
      // Derived from the pepper when unset: production requires the pepper, so this key is secret there too.
      secretKey: e.WEBHOOK_SECRET_KEY ?? `pepper:${e.TOKEN_PEPPER ?? 'warden-development-pepper-not-secret'}`,
      allowNetworks: e.WEBHOOK_ALLOW_NETWORKS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    },
    demo: { seed: e.DEMO_SEED, scale: e.DEMO_SCALE, adminPassword: e.DEMO_ADMIN_PASSWORD },
    simulator: {
      enabled: e.SIMULATOR_ENABLED,
      devices: e.SIM_DEVICES,
      seed: e.SIM_SEED,
      rosterFile: e.SIM_ROSTER_FILE,
      gatewayUrl: e.SIM_GATEWAY_URL ?? `http://${e.GATEWAY_HOST === '0.0.0.0' ? '127.0.0.1' : e.GATEWAY_HOST}:${e.GATEWAY_PORT}`,
      httpConnections: e.SIM_HTTP_CONNECTIONS,
      telemetry: { transport: e.SIM_TELEMETRY_TRANSPORT, intervalSeconds: e.SIM_TELEMETRY_SECONDS, auth: e.SIM_TELEMETRY_AUTH },
      updates: { failureRate: e.SIM_UPDATE_FAILURE_RATE, silenceRate: e.SIM_UPDATE_SILENCE_RATE, installSeconds: e.SIM_INSTALL_SECONDS },
      containment: e.SIM_CONTAINMENT,
      outbreak: {
        enabled: e.SIM_OUTBREAK,
        delaySeconds: e.SIM_OUTBREAK_DELAY_SECONDS,
        entry: e.SIM_OUTBREAK_ENTRY,
        spreadRate: e.SIM_OUTBREAK_SPREAD_RATE,
        roundSeconds: e.SIM_OUTBREAK_ROUND_SECONDS,
        infectChance: e.SIM_OUTBREAK_INFECT_CHANCE,
        crossSegmentShare: e.SIM_OUTBREAK_CROSS_SEGMENT,
        vulnerable: e.SIM_OUTBREAK_VULNERABLE.map((v) => {
          const at = v.lastIndexOf('<');
          return { model: v.slice(0, at).trim(), below: v.slice(at + 1).trim() };
        }),
        exfil: e.SIM_OUTBREAK_EXFIL,
      },
      control: { host: e.SIM_CONTROL_HOST, port: e.SIM_CONTROL_PORT },
    },
  };
}

import type { Config } from '@warden/config';
import { createDeviceAuthenticator } from '@warden/core';
import type { Db } from '@warden/db';
import { counter, type Logger, type Producer, type Redis, type Registry } from '@warden/runtime';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createMqttBridge, type MqttBridge } from '../mqtt/mqtt-bridge.js';
import { redisLimiter, type AuthFailureGuard } from '../http/rate-limit.js';
import { createTelemetryPublishers } from './kafka-publishers.js';
import { telemetryRoutes } from './telemetry.routes.js';

function bytes(limit: string): number {
  const m = /^(\d+)(kb|mb)$/.exec(limit)!;
  return Number(m[1]) * (m[2] === 'mb' ? 1024 * 1024 : 1024);
}

/** Everything telemetry adds to the gateway: its HTTP routes and the MQTT bridge. */
export function createTelemetryModule(deps: { config: Config; db: Db; redis: Redis; producer: Producer; log: Logger; metrics: Registry; authFailures: AuthFailureGuard; ipLimit: RateLimiterAbstract }) {
  const { config, log } = deps;
  const t = config.telemetry;
  const authenticator = createDeviceAuthenticator({ db: deps.db, config }, { ttlMs: t.authCacheSeconds * 1000 });
  const publishers = createTelemetryPublishers(deps.producer, {
    compression: config.kafka.compression,
    lingerMs: t.lingerMs,
    maxInFlight: t.maxInFlight,
    timeoutMs: t.produceTimeoutMs,
  });
  const messages = counter(deps.metrics, 'warden_gateway_telemetry_messages_total', 'Telemetry messages by transport and outcome', ['via', 'outcome']);
  const prefix = `${config.redisPrefix}:rl:telemetry`;
  const router = telemetryRoutes({
    authenticator,
    ...publishers,
    log,
    limits: {
      ip: deps.ipLimit,
      device: redisLimiter(deps.redis, `${prefix}:device`, t.rateLimitDevice),
      gateway: redisLimiter(deps.redis, `${prefix}:gateway`, t.rateLimitGateway),
      authFailures: deps.authFailures,
    },
    bodyLimit: t.bodyLimit,
    maxBatch: t.maxBatch,
    maxClockSkewMs: t.maxClockSkewSeconds * 1000,
    counters: { messages },
  });
  const mqtt: MqttBridge | undefined = t.mqttEnabled
    ? createMqttBridge({
        url: config.mqttUrl,
        topic: t.mqttTopic,
        authenticator,
        ...publishers,
        log,
        maxPayloadBytes: bytes(t.bodyLimit),
        maxClockSkewMs: t.maxClockSkewSeconds * 1000,
        counters: { messages },
      })
    : undefined;
  return { router, mqtt, inFlight: publishers.telemetry.inFlight, evict: (deviceIds: string[] | 'all') => authenticator.evict(deviceIds) };
}

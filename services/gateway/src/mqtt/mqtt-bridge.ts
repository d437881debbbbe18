import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { TELEMETRY_MAX_BATCH } from '@warden/contracts';
import {
  IngestBusyError,
  IngestUnavailableError,
  ingestTelemetry,
  rejectUnreadable,
  UnauthenticatedError,
  type DeviceAuthenticator,
  type DevicePrincipal,
  type DlqPublisher,
  type TelemetryPublisher,
} from '@warden/core';
import type { Counter, Logger } from '@warden/runtime';

export interface MqttBridgeDeps {
  url: string;
  /** Topic filter; `+` stands for the device id: `warden/devices/+/telemetry` (or `$share/<group>/...`). */
  topic: string;
  authenticator: DeviceAuthenticator;
  telemetry: TelemetryPublisher;
  dlq: DlqPublisher;
  log: Logger;
  maxPayloadBytes: number;
  maxClockSkewMs: number;
  counters: { messages: Counter<'via' | 'outcome'> };
}

export interface MqttBridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  connected(): boolean;
}

/** The topic name pattern of a filter such as `$share/g/warden/devices/+/telemetry`; `+` captures the device id. */
/** Tries for a failure other than Kafka's before the message goes to the DLQ (about 25 s in all). */
const MAX_OTHER_ATTEMPTS = 8;

export function topicPattern(filter: string): RegExp {
  const plain = filter.replace(/^\$share\/[^/]+\//, '');
  const escaped = plain.split('+').map((part) => part.replace(/[.*?^${}()|[\]\\/]/g, '\\$&'));
  if (escaped.length !== 2) throw new Error(`MQTT telemetry topic ${filter} must have exactly one + (the device id)`);
  return new RegExp(`^${escaped[0]}([^/]+)${escaped[1]}$`);
}

/**
 * Bridges `warden/devices/{deviceId}/telemetry` from the MQTT broker to Kafka. Each MQTT message
 * carries its credential: `{ "token": "<device token>", "messages": [...] }` or
 * `{ "gatewayToken": "<gateway token>", "messages": [...] }`, for the device in the topic only.
 *
 * Messages are subscribed at QoS 1 and acknowledged (PUBACK) only once Kafka has them: while
 * Kafka is down the bridge retries and stops reading, so the broker holds on to the rest.
 * Refused messages are acknowledged after their DLQ record is written.
 */
export function createMqttBridge(deps: MqttBridgeDeps): MqttBridge {
  let client: MqttClient | undefined;
  let stopping = false;
  const log = deps.log.child({ component: 'mqtt-bridge' });
  const TOPIC = topicPattern(deps.topic);

  async function handle(packet: IPublishPacket): Promise<void> {
    const receivedAt = new Date();
    const match = TOPIC.exec(packet.topic);
    const topicDevice = match?.[1];
    const base = { via: 'mqtt' as const, receivedAt, ...(topicDevice ? { deviceId: topicDevice } : {}) };
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const refuse = async (reason: 'MALFORMED' | 'TOO_LARGE' | 'UNAUTHENTICATED' | 'INVALID', message: string, body?: unknown) => {
      deps.counters.messages.inc({ via: 'mqtt', outcome: reason.toLowerCase() });
      await rejectUnreadable(deps.dlq, { ...base, reason, message, ...(body !== undefined ? { payload: body } : {}) });
    };
    if (!topicDevice) return refuse('INVALID', `unexpected topic ${packet.topic.slice(0, 200)}`);
    if (payload.length > deps.maxPayloadBytes) return refuse('TOO_LARGE', `payload larger than ${deps.maxPayloadBytes} bytes`);

    let body: { token?: unknown; gatewayToken?: unknown; messages?: unknown };
    try {
      body = JSON.parse(payload.toString('utf8')) as typeof body;
    } catch {
      return refuse('MALFORMED', 'payload is not valid JSON', payload.toString('utf8'));
    }
    if (!body || typeof body !== 'object' || !Array.isArray(body.messages) || !body.messages.length || body.messages.length > TELEMETRY_MAX_BATCH) {
      return refuse('INVALID', `payload must be { "token": "...", "messages": [1..${TELEMETRY_MAX_BATCH} messages] }`, body);
    }
    let principal: DevicePrincipal;
    try {
      const token = typeof body.token === 'string' ? body.token : typeof body.gatewayToken === 'string' ? body.gatewayToken : undefined;
      if (!token) throw new UnauthenticatedError('payload has no token');
      principal = await deps.authenticator.authenticate({ scheme: typeof body.token === 'string' ? 'TargetToken' : 'GatewayToken', token });
    } catch (err) {
      if (err instanceof UnauthenticatedError) return refuse('UNAUTHENTICATED', err.message);
      throw err;
    }
    const result = await ingestTelemetry(
      { authenticator: deps.authenticator, telemetry: deps.telemetry, dlq: deps.dlq, maxClockSkewMs: deps.maxClockSkewMs },
      { principal, messages: body.messages, via: 'mqtt', receivedAt, impliedDeviceId: topicDevice, onlyDeviceId: topicDevice },
    );
    deps.counters.messages.inc({ via: 'mqtt', outcome: 'accepted' }, result.accepted);
    if (result.rejected.length) deps.counters.messages.inc({ via: 'mqtt', outcome: 'rejected' }, result.rejected.length);
  }

  /**
   * Retries until the message is handled or the bridge stops; the PUBACK waits for it (and the
   * next message for the PUBACK). Kafka being busy or away is waited out; any other failure gets
   * a few tries (a Postgres blip passes), then the message goes to the DLQ with the reason, so
   * one message that cannot be handled never holds up the ones behind it.
   */
  async function handleWithRetry(packet: IPublishPacket): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await handle(packet);
      } catch (err) {
        if (stopping) throw err;
        const wait = Math.min(200 * 2 ** attempt, 5000);
        const kafka = err instanceof IngestBusyError || err instanceof IngestUnavailableError;
        if (!kafka && attempt >= MAX_OTHER_ATTEMPTS - 1) {
          log.error({ err, topic: packet.topic.slice(0, 200) }, 'could not handle an MQTT message; recording it in the DLQ');
          deps.counters.messages.inc({ via: 'mqtt', outcome: 'failed' });
          const raw = typeof packet.payload === 'string' ? packet.payload : packet.payload.toString('utf8');
          await rejectUnreadable(deps.dlq, { via: 'mqtt', receivedAt: new Date(), reason: 'INVALID', message: `could not be handled: ${(err as Error).message ?? String(err)}`.slice(0, 500), payload: raw }).catch(
            (dlqErr: unknown) => log.warn({ err: dlqErr }, 'could not record an unhandled MQTT message in the DLQ'),
          );
          return;
        }
        if (attempt === 0 || attempt % 10 === 0) {
          log.warn({ err, attempt, wait }, kafka ? 'Kafka is not taking telemetry; holding MQTT messages' : 'could not handle an MQTT message; retrying');
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  return {
    connected: () => client?.connected ?? false,
    async start() {
      client = await mqtt.connectAsync(deps.url, {
        clientId: `warden-gateway-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
      });
      client.handleMessage = (packet, done) => {
        handleWithRetry(packet).then(
          () => done(),
          // Not acknowledged: the broker redelivers it when this client reconnects.
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      };
      client.on('error', (err) => log.warn({ err }, 'MQTT error'));
      await client.subscribeAsync(deps.topic, { qos: 1 });
      log.info({ url: deps.url, topic: deps.topic }, 'MQTT bridge subscribed');
    },
    async stop() {
      stopping = true;
      await client?.endAsync();
    },
  };
}

import mqtt, { type MqttClient } from 'mqtt';
import type { TelemetryMessageInput } from '@warden/contracts';
import type { GatewayHttp } from '../http.js';
import type { Scheduler } from '../scheduler.js';

/**
 * Where device reports go: HTTP batched per site gateway (one `GatewayToken` request carrying
 * many devices' messages, as an office hub or edge gateway forwards them), HTTP per device with
 * its own token, or MQTT per device topic.
 */
export interface TelemetrySink {
  send(message: TelemetryMessageInput, device: { id: string; token: string }): void;
  stats(): SinkStats;
  /** Sends what is buffered and waits for requests in flight. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkStats {
  /** Messages handed to the gateway (HTTP 2xx, or MQTT PUBACK). */
  delivered: number;
  /** Messages the gateway refused (4xx other than 429). */
  refused: number;
  /** Messages that could not be delivered (kept for retry) and dropped (buffer full). */
  retried: number;
  dropped: number;
  buffered: number;
  /** Requests (HTTP) or publishes (MQTT) made. */
  requests: number;
  /** Why the gateway last refused a message, if it did. */
  lastRefusal?: string;
}

const emptyStats = (): SinkStats => ({ delivered: 0, refused: 0, retried: 0, dropped: 0, buffered: 0, requests: 0 });

/** A sink's sends in flight: how many, and a way to wait until none is left. */
function sends() {
  const pending = new Set<Promise<unknown>>();
  return {
    track(p: Promise<unknown>): void {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    get size(): number {
      return pending.size;
    },
    async settled(): Promise<void> {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

/** Counts what a 202/4xx telemetry answer says was taken, and why the rest was not. */
function accepted(status: number, body: Buffer, sent: number): { ok: number; refused: number; why?: string } {
  if (status === 202) return { ok: sent, refused: 0 };
  let why = `HTTP ${status}`;
  try {
    const r = JSON.parse(body.toString('utf8')) as { accepted?: number; rejected?: { reason?: string; message?: string }[]; error?: { message?: string } };
    const first = r.rejected?.[0];
    why = first ? `${first.reason}: ${first.message}` : (r.error?.message ?? why);
    if (typeof r.accepted === 'number') return { ok: r.accepted, refused: r.rejected?.length ?? sent - r.accepted, why };
  } catch {
    /* not a telemetry answer */
  }
  return { ok: 0, refused: sent, why };
}

/** Batches every device's messages into `GatewayToken` requests of up to `maxBatch`, sent after `lingerMs`. */
export function httpGatewaySink(opts: {
  http: GatewayHttp;
  scheduler: Scheduler;
  gatewayToken: string;
  maxBatch?: number;
  lingerMs?: number;
  maxBuffered?: number;
  maxInFlight?: number;
}): TelemetrySink {
  const maxBatch = opts.maxBatch ?? 500;
  const linger = opts.lingerMs ?? 200;
  const maxBuffered = opts.maxBuffered ?? 200_000;
  const maxInFlight = opts.maxInFlight ?? 8;
  const headers = { authorization: `GatewayToken ${opts.gatewayToken}`, 'content-type': 'application/json' };
  const s = emptyStats();
  let buffer: TelemetryMessageInput[] = [];
  let armed = false;
  let inFlight = 0;
  let pausedUntil = 0;
  const pending = sends();

  const arm = (delay: number) => {
    if (armed) return;
    armed = true;
    opts.scheduler.after(delay, () => {
      armed = false;
      pump();
    });
  };

  function pump(): void {
    const now = opts.scheduler.now();
    if (now < pausedUntil) return arm(pausedUntil - now);
    while (buffer.length && inFlight < maxInFlight) {
      const batch = buffer.length <= maxBatch ? buffer : buffer.slice(0, maxBatch);
      buffer = buffer.length <= maxBatch ? [] : buffer.slice(maxBatch);
      const p = post(batch);
      pending.track(p);
    }
    if (buffer.length) arm(linger);
  }

  async function post(batch: TelemetryMessageInput[]): Promise<void> {
    inFlight++;
    s.requests++;
    try {
      const res = await opts.http.request('POST', '/device/v1/telemetry', headers, JSON.stringify({ messages: batch }));
      if (res.status === 429 || res.status === 503 || res.status >= 500) {
        const after = Number(res.headers['retry-after']);
        pausedUntil = opts.scheduler.now() + (Number.isFinite(after) && after > 0 ? after * 1000 : 1000);
        requeue(batch);
      } else {
        const r = accepted(res.status, res.body, batch.length);
        s.delivered += r.ok;
        s.refused += r.refused;
        if (r.why) s.lastRefusal = r.why;
      }
    } catch {
      pausedUntil = opts.scheduler.now() + 1000;
      requeue(batch);
    } finally {
      inFlight--;
      if (buffer.length) arm(buffer.length >= maxBatch ? 0 : linger);
    }
  }

  function requeue(batch: TelemetryMessageInput[]): void {
    s.retried += batch.length;
    buffer = batch.concat(buffer);
    if (buffer.length > maxBuffered) {
      s.dropped += buffer.length - maxBuffered;
      buffer = buffer.slice(buffer.length - maxBuffered);
    }
  }

  return {
    send(message) {
      buffer.push(message);
      if (buffer.length >= maxBatch) pump();
      else arm(linger);
    },
    stats: () => ({ ...s, buffered: buffer.length }),
    async flush() {
      pausedUntil = 0;
      pump();
      await pending.settled();
    },
    async close() {
      await this.flush();
    },
  };
}

/** One request per message with the device's own token (what a device without a gateway does). */
export function httpDeviceSink(opts: { http: GatewayHttp }): TelemetrySink {
  const s = emptyStats();
  const pending = sends();
  return {
    send(message, device) {
      s.requests++;
      const p = opts.http
        .request('POST', '/device/v1/telemetry', { authorization: `TargetToken ${device.token}`, 'content-type': 'application/json' }, JSON.stringify({ messages: [message] }))
        .then(
          (res) => {
            if (res.status === 429 || res.status >= 500) s.retried++;
            else {
              const r = accepted(res.status, res.body, 1);
              s.delivered += r.ok;
              s.refused += r.refused;
              if (r.why) s.lastRefusal = r.why;
            }
          },
          () => void s.dropped++,
        );
      pending.track(p);
    },
    stats: () => ({ ...s, buffered: pending.size }),
    async flush() {
      await pending.settled();
    },
    async close() {
      await this.flush();
    },
  };
}

/** Publishes to `warden/devices/{deviceId}/telemetry` at QoS 1 with the device token in the payload. */
export async function mqttSink(opts: { url: string; clientId: string; topic?: (deviceId: string) => string }): Promise<TelemetrySink> {
  // One connection for the office (the broker sees each device's topic and token all the same).
  const client: MqttClient = await mqtt.connectAsync(opts.url, { clientId: opts.clientId, clean: true, reconnectPeriod: 1000 });
  const topic = opts.topic ?? ((id: string) => `warden/devices/${id}/telemetry`);
  const s = emptyStats();
  const pending = sends();
  return {
    send(message, device) {
      s.requests++;
      const p = client.publishAsync(topic(device.id), JSON.stringify({ token: device.token, messages: [message] }), { qos: 1 }).then(
        () => void s.delivered++,
        () => void s.dropped++,
      );
      pending.track(p);
    },
    stats: () => ({ ...s, buffered: pending.size }),
    async flush() {
      await pending.settled();
    },
    async close() {
      await pending.settled();
      await client.endAsync();
    },
  };
}

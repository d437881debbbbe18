import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryDlqRecord, TelemetryRecord } from '@warden/contracts';
import type { DevKafka } from '@warden/runtime';
import { telemetryMessage, type FleetFixture } from '@warden/testing';
import { createGatewayService } from '../src/main.js';
import { readTopic, startTelemetryBed, topics, type TelemetryBed } from './helpers.js';

let bed: TelemetryBed;
let kafka: DevKafka;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let fleet: FleetFixture;
let url: string;

beforeAll(async () => {
  bed = await startTelemetryBed({ TELEMETRY_BODY_LIMIT: '64kb', TELEMETRY_PRODUCE_TIMEOUT_MS: '1500', TELEMETRY_MAX_IN_FLIGHT: '100' }, 3);
  ({ kafka, fleet } = bed);
  ({ gateway, url } = await bed.startGateway());
});

afterAll(async () => bed?.close());

function post(body: unknown, auth?: string, raw?: string) {
  return fetch(`${url}/device/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: raw ?? JSON.stringify(body),
  });
}

const dlqWhere = (pred: (r: TelemetryDlqRecord) => boolean) => (all: TelemetryDlqRecord[]) => all.some(pred);

describe('POST /device/v1/telemetry', () => {
  it('answers health to devices, and readiness and metrics only on its operations port', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // What is down and why, and the metrics, are not for devices or the internet.
    expect((await fetch(`${url}/ready`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const ops = `http://127.0.0.1:${gateway.opsPort()}`;
    expect(gateway.opsPort()).not.toBe(Number(new URL(url).port));
    expect(await (await fetch(`${ops}/ready`)).json()).toMatchObject({ status: 'ready', down: [] });
    expect(await (await fetch(`${ops}/metrics`)).text()).toContain('warden_gateway_telemetry_messages_total');
  });

  it('takes a batch from a device token, keyed by device id, and stamps the receive time', async () => {
    const d = fleet.devices[0]!;
    const res = await post({ messages: [telemetryMessage(d.id, 1), { ...telemetryMessage(d.id, 2), deviceId: undefined }] }, `TargetToken ${d.token}`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] });
    const records = await readTopic<TelemetryRecord>(kafka.brokers, topics.telemetry, (all) => all.filter((r) => r.deviceId === d.id).length >= 2);
    const mine = records.filter((r) => r.deviceId === d.id);
    expect(mine.map((r) => r.seq).sort()).toEqual([1, 2]);
    expect(mine[0]!.via).toBe('http');
    expect(Date.parse(mine[0]!.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a missing or unknown token with 401 and records it in the DLQ without the token', async () => {
    expect((await post({ messages: [telemetryMessage(fleet.devices[0]!.id, 1)] })).status).toBe(401);
    const bogus = 'wdt_this-is-not-a-real-token-at-all';
    const res = await post({ messages: [telemetryMessage(fleet.devices[0]!.id, 1)] }, `TargetToken ${bogus}`);
    expect(res.status).toBe(401);
    const dlq = await readTopic<TelemetryDlqRecord>(kafka.brokers, topics.telemetryDlq, (all) => all.filter((r) => r.reason === 'UNAUTHENTICATED').length >= 2);
    expect(JSON.stringify(dlq)).not.toContain(bogus);
  });

  it('does not let a device post telemetry as another device', async () => {
    const [a, b] = [fleet.devices[0]!, fleet.devices[1]!];
    const sent = telemetryMessage(b.id, 77);
    const res = await post({ messages: [sent] }, `TargetToken ${a.token}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: 'FORBIDDEN' }] });
    const dlq = await readTopic<TelemetryDlqRecord>(kafka.brokers, topics.telemetryDlq, dlqWhere((r) => r.reason === 'FORBIDDEN'));
    const refused = dlq.find((r) => r.reason === 'FORBIDDEN')!;
    expect(refused).toMatchObject({ deviceId: b.id, index: 0 });
    // The evidence is what the device sent, not the message completed with the schema's defaults.
    expect(JSON.parse(refused.payload!)).toEqual(sent);
    const records = await readTopic<TelemetryRecord>(kafka.brokers, topics.telemetry, (all) => all.length > 0);
    expect(records.some((r) => r.deviceId === b.id && r.seq === 77)).toBe(false);
  });

  it('lets a gateway token speak for the devices of its site', async () => {
    const msgs = fleet.devices.map((d, i) => telemetryMessage(d.id, 500 + i));
    const res = await post({ messages: [...msgs, telemetryMessage('00000000-0000-4000-8000-000000000000', 1)] }, `GatewayToken ${fleet.gatewayToken}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [{ index: 3, reason: 'FORBIDDEN' }] });
  });

  it('stores the valid messages of a batch and refuses the invalid ones with field-level reasons', async () => {
    const d = fleet.devices[2]!;
    const bad = { ...telemetryMessage(d.id, 901), metrics: { cpu: 'hot' }, flows: [{ peer: 'not-an-ip', port: 99999, protocol: 'tcp' }] };
    const yearZero = { ...telemetryMessage(d.id, 902), ts: '0000-06-01T00:00:00Z' };
    // Valid JSON that Postgres cannot store as text.
    const unstorable = { ...telemetryMessage(d.id, 903), events: [{ type: 'OTHER', detail: 'nul \u0000' }], firmware: { version: 'lone \ud800' } };
    const res = await post({ messages: [telemetryMessage(d.id, 900), bad, yearZero, unstorable] }, `TargetToken ${d.token}`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { accepted: number; rejected: Array<{ errors: Array<{ path: string }> }> };
    expect(body.accepted).toBe(1);
    expect(body.rejected[0]!.errors.map((e) => e.path).sort()).toEqual(['flows.0.peer', 'flows.0.port', 'metrics.cpu']);
    expect(body.rejected[1]).toMatchObject({ index: 2, errors: [{ path: 'ts', message: expect.stringContaining('before year 1') }] });
    expect(body.rejected[2]).toMatchObject({
      index: 3,
      errors: [
        { path: 'events.0.detail', message: expect.stringContaining('NUL character') },
        { path: 'firmware.version', message: expect.stringContaining('unpaired UTF-16 surrogate') },
      ],
    });
    const dlq = await readTopic<TelemetryDlqRecord>(kafka.brokers, topics.telemetryDlq, dlqWhere((r) => r.reason === 'INVALID' && r.deviceId === d.id));
    const rec = dlq.find((r) => r.reason === 'INVALID' && r.deviceId === d.id)!;
    expect(rec.errors?.map((e) => e.path)).toContain('metrics.cpu');
    expect(rec.payload).toContain('not-an-ip');
    const ok = await readTopic<TelemetryRecord>(kafka.brokers, topics.telemetry, (all) => all.some((r) => r.deviceId === d.id && r.seq === 900));
    expect(ok.some((r) => r.seq === 901)).toBe(false);
  });

  it('answers malformed JSON with 400 and an oversized body with 413, both recorded in the DLQ', async () => {
    const d = fleet.devices[0]!;
    expect((await post(null, `TargetToken ${d.token}`, '{"messages": [')).status).toBe(400);
    const huge = { messages: Array.from({ length: 400 }, (_, i) => telemetryMessage(d.id, i, { flows: 5 })) };
    expect((await post(huge, `TargetToken ${d.token}`)).status).toBe(413);
    const dlq = await readTopic<TelemetryDlqRecord>(
      kafka.brokers,
      topics.telemetryDlq,
      (all) => all.some((r) => r.reason === 'MALFORMED') && all.some((r) => r.reason === 'TOO_LARGE'),
    );
    expect(dlq.find((r) => r.reason === 'MALFORMED')).toMatchObject({ deviceId: d.id, payload: '{"messages": [' });
  });

  it('answers 503 with Retry-After while Kafka is down, and takes telemetry again once it is back', async () => {
    const d = fleet.devices[1]!;
    await kafka.down();
    try {
      const res = await post({ messages: [telemetryMessage(d.id, 4242)] }, `TargetToken ${d.token}`);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await kafka.up();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 202; i++) {
      status = (await post({ messages: [telemetryMessage(d.id, 4243)] }, `TargetToken ${d.token}`)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(202);
  });

  it('answers 429 with Retry-After instead of queueing more than its in-flight limit while Kafka is slow', async () => {
    const d = fleet.devices[2]!;
    const batch = (from: number) => ({ messages: Array.from({ length: 80 }, (_, i) => telemetryMessage(d.id, from + i, { flows: 0 })) });
    await kafka.down();
    try {
      const first = post(batch(10_000), `TargetToken ${d.token}`);
      await new Promise((r) => setTimeout(r, 200));
      const second = await post(batch(20_000), `TargetToken ${d.token}`);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      // The first batch was never acknowledged: Kafka did not take it.
      expect((await first).status).toBe(503);
    } finally {
      await kafka.up();
    }
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '@warden/config';
import { generateSecret, hashSecret, SECRET_PREFIX } from '@warden/core';
import type { Db } from '@warden/db';
import { testConfig } from './config.js';
import { TEST_REDIS_URL } from './redis.js';

/** {@link testConfig} for telemetry services: a Redis prefix and consumer group of its own, any free ports. */
export function telemetryTestConfig(env: Record<string, string | undefined>): Config {
  return testConfig({
    LOG_LEVEL: process.env.WARDEN_TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `wtest-${randomBytes(4).toString('hex')}`,
    GATEWAY_PORT: '0',
    STREAM_PORT: '0',
    STREAM_GROUP_ID: `wtest-${randomBytes(4).toString('hex')}`,
    ...env,
  });
}

export interface FleetFixture {
  siteId: string;
  segmentId: string;
  devices: Array<{ id: string; controllerId: string; token: string }>;
  gatewayToken: string;
}

/**
 * A site with one segment and `count` devices, each with a device token, plus a gateway token
 * for the site. Tokens are returned in clear; the database holds their hashes.
 */
export async function createTelemetryFleet(db: Db, pepper: string, count: number): Promise<FleetFixture> {
  const tag = randomBytes(4).toString('hex');
  const site = await db.site.create({ data: { code: `s-${tag}`, name: `Site ${tag}` } });
  const segment = await db.segment.create({ data: { siteId: site.id, name: 'iot', cidr: '10.20.0.0/16', zone: 'IOT' } });
  const model = await db.deviceModel.create({ data: { vendor: `Acme ${tag}`, name: 'Sensor 1', kind: 'SENSOR' } });
  const devices: FleetFixture['devices'] = [];
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    serial: `SN-${tag}-${i}`,
    controllerId: `ctl-${tag}-${i}`,
    name: `sensor ${i}`,
    kind: 'SENSOR' as const,
    modelId: model.id,
    segmentId: segment.id,
    status: 'ACTIVE' as const,
    ip: `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  }));
  await db.device.createMany({ data: rows });
  const creds = rows.map((r) => {
    const token = generateSecret(SECRET_PREFIX.device);
    devices.push({ id: r.id, controllerId: r.controllerId, token });
    return { deviceId: r.id, prefix: token.slice(0, 10), tokenHash: hashSecret(token, pepper) };
  });
  await db.deviceCredential.createMany({ data: creds });
  const gatewayToken = generateSecret(SECRET_PREFIX.gateway);
  await db.gatewayCredential.create({
    data: { name: `hub ${tag}`, prefix: gatewayToken.slice(0, 10), tokenHash: hashSecret(gatewayToken, pepper), siteId: site.id },
  });
  return { siteId: site.id, segmentId: segment.id, devices, gatewayToken };
}

/**
 * A worm-like scan in one message: `peers` internal addresses of 10.20.<subnet>.0/24 probed on
 * telnet and SMB (what the fan-out rule looks for).
 */
export function scanMessage(deviceId: string, opts: { seq?: number; ts?: Date; peers?: number; subnet: number }) {
  return {
    deviceId,
    seq: opts.seq ?? 1,
    ts: (opts.ts ?? new Date()).toISOString(),
    metrics: { cpu: 90 },
    flows: Array.from({ length: opts.peers ?? 14 }, (_, i) => ({ peer: `10.20.${opts.subnet}.${i + 10}`, port: i % 2 ? 23 : 445, protocol: 'tcp' as const, outbound: true, bytes: 120, packets: 2 })),
  };
}

/** A realistic telemetry.v1 message: 5–10 metrics, 0–5 flows. */
export function telemetryMessage(deviceId: string, seq: number, opts: { ts?: Date; flows?: number; metrics?: number } = {}) {
  const metricNames = ['cpu', 'memory', 'temperature', 'rssi', 'power', 'bytes_in', 'bytes_out', 'uptime', 'disk', 'connections'];
  const nMetrics = opts.metrics ?? 5 + (seq % 6);
  const nFlows = opts.flows ?? seq % 6;
  return {
    deviceId,
    seq,
    ts: (opts.ts ?? new Date()).toISOString(),
    metrics: Object.fromEntries(metricNames.slice(0, nMetrics).map((m, i) => [m, Math.round((seq * 7 + i * 13) % 1000) / 10])),
    flows: Array.from({ length: nFlows }, (_, i) => ({
      peer: `10.20.${i}.${(seq % 200) + 1}`,
      port: [443, 53, 80, 1883, 8883][i % 5]!,
      protocol: i % 2 ? ('udp' as const) : ('tcp' as const),
      bytes: 100 + i,
      packets: 2,
    })),
    firmware: { version: '1.2.3' },
  };
}

/**
 * Waits until detection has run on what is stored now: each device's (of `deviceIds`, or of the
 * fleet) latest stored message at the time of the call. Storage and detection are separate
 * consumer groups, so "stored" does not imply "detected": a test asserting that something raised
 * no alert must wait for this first, or it would pass before detection looked.
 */
export async function waitForDetection(sql: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }, opts: { deviceIds?: string[]; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const { rows: snapshot } = await sql.query(
    `SELECT coalesce(array_agg(device_id::text), '{}') AS ids, coalesce(array_agg((extract(epoch FROM last_ts) * 1000)::bigint::text), '{}') AS ts
       FROM device_state WHERE $1::uuid[] IS NULL OR device_id = ANY($1::uuid[])`,
    [opts.deviceIds ?? null],
  );
  const { ids, ts } = snapshot[0] as { ids: string[]; ts: string[] };
  for (;;) {
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM unnest($1::uuid[], $2::bigint[]) AS w(device_id, ts)
         LEFT JOIN device_detection_state x ON x.device_id = w.device_id
        WHERE coalesce((x.state->>'lastTs')::bigint, -1) < w.ts`,
      [ids, ts],
    );
    const behind = (rows[0] as { n: number }).n;
    if (behind === 0) return;
    if (Date.now() > deadline) throw new Error(`detection is still behind storage for ${behind} device(s)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTelemetryBatch } from '@warden/core';
import type { TelemetryRecord } from '@warden/contracts';
import { createSqlPool, type SqlPool } from '@warden/db';
import { createTelemetryFleet, telemetryMessage, type FleetFixture } from '@warden/testing';
import { codeOf, startApi } from './harness.js';

const api = await startApi();
let pool: SqlPool;
let fleet: FleetFixture;
let token: string;
// 20 minutes of readings, one every 10 s, aligned on a 5-minute boundary.
const t0 = new Date(Math.floor((Date.now() - 3_600_000) / 300_000) * 300_000);

beforeAll(async () => {
  pool = createSqlPool(api.config.databaseUrl, 2);
  fleet = await createTelemetryFleet(api.db, api.config.auth.tokenPepper, 3);
  const d = fleet.devices[0]!;
  const records: TelemetryRecord[] = Array.from({ length: 120 }, (_, i) => {
    const m = telemetryMessage(d.id, i, { ts: new Date(t0.getTime() + i * 10_000), flows: 0 });
    return {
      ...m,
      metrics: { ...m.metrics, cpu: Math.floor(i / 30) * 10 },
      flows: i === 119 ? [{ peer: '10.20.0.2', port: 23, protocol: 'tcp', outbound: true, bytes: 60, packets: 1 }] : [],
      events: [],
      receivedAt: new Date().toISOString(),
      via: 'http',
    };
  });
  await processTelemetryBatch({ pool, events: { publish: async () => {} } }, records);
  token = await api.signIn('VIEWER');
});

afterAll(async () => {
  await pool?.end();
});

describe('telemetry in GraphQL', () => {
  it("gives a device's latest state, its downsampled series and its contacts", async () => {
    const d = fleet.devices[0]!;
    const r = await api.gql(
      `query($id: ID!, $from: DateTime!) {
        device(id: $id) {
          telemetry { online lastSeq metrics firmwareVersion }
          telemetrySeries(metric: "cpu", from: $from, bucketSeconds: 300) { bucketSeconds points { at avg min max count } }
          contacts { peerIp port protocol count peerDevice { id } }
        }
      }`,
      { id: d.id, from: t0.toISOString() },
      token,
    );
    expect(r.errors).toBeUndefined();
    const dev = r.data!.device;
    expect(dev.telemetry).toMatchObject({ online: true, lastSeq: 119, firmwareVersion: '1.2.3', metrics: { cpu: 30 } });
    expect(dev.telemetrySeries.bucketSeconds).toBe(300);
    expect(dev.telemetrySeries.points.map((p: { avg: number; count: number }) => [p.avg, p.count])).toEqual([
      [0, 30],
      [10, 30],
      [20, 30],
      [30, 30],
    ]);
    expect(dev.telemetrySeries.points[0].at).toBe(t0.toISOString());
    expect(dev.contacts).toEqual([{ peerIp: '10.20.0.2', port: 23, protocol: 'tcp', count: 1, peerDevice: { id: fleet.devices[1]!.id } }]);
  });

  it('widens the bucket so a long range never returns more than maxPoints', async () => {
    const r = await api.gql(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) {
        telemetrySeries(deviceId: $id, metric: "cpu", from: $from, to: $to, bucketSeconds: 10, maxPoints: 5) { bucketSeconds points { count } }
      }`,
      { id: fleet.devices[0]!.id, from: t0.toISOString(), to: new Date(t0.getTime() + 1_200_000).toISOString() },
      token,
    );
    expect(r.data!.telemetrySeries.bucketSeconds).toBe(300);
    expect(r.data!.telemetrySeries.points).toHaveLength(4);
  });

  it('counts the fleet by liveness and names a bad metric', async () => {
    const r = await api.gql(`query($s: ID) { fleetLiveness(siteId: $s) { online offline neverSeen } }`, { s: fleet.siteId }, token);
    expect(r.data!.fleetLiveness).toEqual({ online: 1, offline: 0, neverSeen: 2 });
    const bad = await api.gql(
      `query($id: ID!) { telemetrySeries(deviceId: $id, metric: "CPU; drop", from: "2026-01-01T00:00:00Z") { bucketSeconds } }`,
      { id: fleet.devices[0]!.id },
      token,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });

  it('refuses anonymous callers', async () => {
    const r = await api.gql(`{ fleetLiveness { online } }`);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

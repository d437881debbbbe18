import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TelemetryDlqRecord } from '@warden/contracts';
import { telemetryMessage, type FleetFixture } from '@warden/testing';
import { readTopic, startTelemetryBed, topics, type TelemetryBed } from './helpers.js';

/**
 * Limits on what the internet can make the gateway do before a device proves who it is: failed
 * authentications per client IP (DDI and telemetry share the count), and requests per client IP on
 * DDI. Client addresses come from X-Forwarded-For (one trusted proxy).
 */
let bed: TelemetryBed;
let fleet: FleetFixture;
let urls: string[];

beforeAll(async () => {
  bed = await startTelemetryBed({ TRUST_PROXY: '1', DEVICE_AUTH_FAILURE_LIMIT: '4', DEVICE_IP_RATE_LIMIT: '30' }, 2);
  fleet = bed.fleet;
  // Two gateways on one Redis: the count is shared, as behind a load balancer.
  urls = (await Promise.all([bed.startGateway(), bed.startGateway()])).map((g) => g.url);
}, 60_000);

afterAll(async () => bed?.close());

const telemetry = (url: string, ip: string, auth: string, body: unknown = { messages: [telemetryMessage(fleet.devices[0]!.id, 1)] }) =>
  fetch(`${url}/device/v1/telemetry`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth, 'x-forwarded-for': ip }, body: JSON.stringify(body) });
const poll = (url: string, ip: string, controllerId: string, token: string) =>
  fetch(`${url}/default/controller/v1/${controllerId}`, { headers: { authorization: `TargetToken ${token}`, 'x-forwarded-for': ip } });

it('refuses an address past its failed authentications with 429 on DDI and telemetry alike, on every gateway, and no other address', async () => {
  const d = fleet.devices[0]!;
  const attacker = '198.51.100.7';
  // Four failures, spread over both transports and both gateways, are answered as usual.
  expect((await poll(urls[0]!, attacker, d.controllerId, 'wdt_guessed-1')).status).toBe(401);
  expect((await telemetry(urls[1]!, attacker, 'TargetToken wdt_guessed-2')).status).toBe(401);
  expect((await poll(urls[1]!, attacker, d.controllerId, 'wdt_guessed-3')).status).toBe(401);
  expect((await telemetry(urls[0]!, attacker, 'TargetToken wdt_guessed-4')).status).toBe(401);
  // The fifth takes the address past the limit.
  const fifth = await poll(urls[0]!, attacker, d.controllerId, 'wdt_guessed-5');
  expect(fifth.status).toBe(429);
  expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await fifth.text()).toBe(''); // DDI errors have no body
  // Now even a valid token from that address waits: credentials are not checked.
  expect((await poll(urls[0]!, attacker, d.controllerId, d.token)).status).toBe(429);
  const blocked = await telemetry(urls[0]!, attacker, `TargetToken ${d.token}`);
  expect(blocked.status).toBe(429);
  expect(await blocked.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  // The other gateway counts the same failures: its next one from there is refused as well.
  expect((await telemetry(urls[1]!, attacker, 'TargetToken wdt_guessed-6')).status).toBe(429);
  // Devices elsewhere are not affected.
  expect((await poll(urls[1]!, '203.0.113.20', d.controllerId, d.token)).status).toBe(200);
  expect((await telemetry(urls[1]!, '203.0.113.20', `TargetToken ${d.token}`)).status).toBe(202);
  // Of the telemetry failures, only the two answered with 401 reached the DLQ: a refused one costs no record.
  const fromAttacker = (all: TelemetryDlqRecord[]) => all.filter((r) => r.reason === 'UNAUTHENTICATED' && r.sourceIp === attacker);
  await readTopic<TelemetryDlqRecord>(bed.kafka.brokers, topics.telemetryDlq, (all) => fromAttacker(all).length >= 2);
  await new Promise((r) => setTimeout(r, 500));
  expect(fromAttacker(await readTopic<TelemetryDlqRecord>(bed.kafka.brokers, topics.telemetryDlq, () => true))).toHaveLength(2);
});

it('limits DDI requests per client address before authentication', async () => {
  const d = fleet.devices[1]!;
  const statuses: number[] = [];
  for (let i = 0; i < 32; i++) statuses.push((await poll(urls[0]!, '192.0.2.50', d.controllerId, d.token)).status);
  expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
  expect(statuses.slice(30)).toEqual([429, 429]);
});

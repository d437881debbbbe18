import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS } from '@warden/contracts';
import type { Actor } from '@warden/core';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookDeliveries,
  rotateWebhookSecret,
  testWebhookSubscription,
  updateWebhookSubscription,
} from '@warden/core/webhooks';
import { quarantineDevices, releaseContainment } from '@warden/core/containment';
import type { DevKafka } from '@warden/runtime';
import { startTestKafka, startWebhookReceiver, type WebhookReceiver } from '@warden/testing';
import { createWorkerService } from '../src/main.js';
import { eventually, startPlaybookHarness, type PlaybookHarness } from './harness.js';

/** Outgoing webhooks end to end: the worker's queues, Postgres's delivery log, a real receiver. */
let h: PlaybookHarness;
let worker: ReturnType<typeof createWorkerService>;
let receiver: WebhookReceiver;
let admin: Actor;
let kafka: DevKafka;

beforeAll(async () => {
  kafka = await startTestKafka();
  h = await startPlaybookHarness({ KAFKA_BROKERS: kafka.brokers.join(',') });
  receiver = await startWebhookReceiver();
  admin = await h.person('ADMIN');
  worker = createWorkerService(h.config);
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await h?.close();
  await kafka?.stop();
});

async function alertOn(incidentId: string) {
  const id = crypto.randomUUID();
  const at = new Date();
  return h.tdb.db.alert.create({
    data: { id, dedupKey: `WORM_FAN_OUT:device:${id}:1`, rule: 'WORM_FAN_OUT', severity: 'HIGH', summary: 'contacted 14 internal peers', evidence: { distinctPeers: 14 }, windowStart: at, observedAt: at, incidentId },
  });
}

describe('outgoing webhooks', () => {
  it('delivers alert.raised and incident.opened, signed over timestamp and body, once per event', async () => {
    const { subscription, secret } = await createWebhookSubscription(h.deps, admin, { name: 'soar', url: `${receiver.url}/soar`, events: ['alert.raised', 'incident.opened', 'incident.changed'] });
    expect(secret).toMatch(/^whsec_/);
    expect(subscription.secretCiphertext).not.toContain(secret.slice(6));
    receiver.trust(secret);
    const incidentId = await h.incident();
    const alert = await alertOn(incidentId);
    const change = { incidentId, change: 'CREATED' as const, actor: 'system:detection', alertIds: [alert.id], at: Date.now() };
    // The same change twice (a redelivered job): still one delivery per event.
    await h.jobs.enqueue('incident.changed', change);
    await h.jobs.enqueue('incident.changed', change);
    await eventually(async () => receiver.accepted().length >= 2, 'two deliveries');
    await new Promise((r) => setTimeout(r, 500));
    const got = receiver.accepted();
    expect(got.map((g) => g.body.type).sort()).toEqual(['alert.raised', 'incident.opened']);
    expect(got.every((g) => g.verified)).toBe(true);
    const a = got.find((g) => g.body.type === 'alert.raised')!;
    expect(a.headers[WEBHOOK_HEADERS.event]).toBe('alert.raised');
    expect(a.headers[WEBHOOK_HEADERS.eventId]).toBe(`alert.${alert.id}`);
    expect(a.headers[WEBHOOK_HEADERS.attempt]).toBe('1');
    expect(a.headers[WEBHOOK_HEADERS.signature]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(a.body.data).toMatchObject({ alert: { id: alert.id, rule: 'WORM_FAN_OUT', summary: 'contacted 14 internal peers' }, incidentId });
    const o = got.find((g) => g.body.type === 'incident.opened')!;
    expect(o.body.data).toMatchObject({ change: 'CREATED', incident: { id: incidentId, status: 'OPEN', severity: 'HIGH' } });
    const log = await listWebhookDeliveries(h.deps, admin, { subscriptionId: subscription.id, first: 10 });
    expect(log.nodes.map((d) => [d.event, d.status, d.attempts, d.lastStatusCode])).toEqual(expect.arrayContaining([['alert.raised', 'SUCCEEDED', 1, 204], ['incident.opened', 'SUCCEEDED', 1, 204]]));
    await deleteWebhookSubscription(h.deps, admin, subscription.id);
  });

  it('retries a failing receiver with backoff and records every attempt', async () => {
    const { subscription, secret } = await createWebhookSubscription(h.deps, admin, { name: 'flaky', url: `${receiver.url}/flaky`, events: ['incident.changed'] });
    receiver.trust(secret);
    receiver.failNext(2);
    const before = receiver.received.length;
    const incidentId = await h.incident();
    await h.jobs.enqueue('incident.changed', { incidentId, change: 'NOTE', actor: 'user:x', alertIds: [], at: Date.now() });
    const delivery = await eventually(async () => {
      const [d] = (await listWebhookDeliveries(h.deps, admin, { subscriptionId: subscription.id, first: 1 })).nodes;
      return d?.status === 'SUCCEEDED' ? d : null;
    }, 'the third attempt');
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 204, lastError: null });
    const attempts = receiver.received.slice(before);
    expect(attempts.map((r) => [r.status, r.headers[WEBHOOK_HEADERS.attempt]])).toEqual([[503, '1'], [503, '2'], [204, '3']]);
    // 150 ms, then 450 ms between attempts (WEBHOOK_RETRY_BASE_MS=150, ×3 each time).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(140);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(440);
    expect(new Set(attempts.map((r) => r.headers[WEBHOOK_HEADERS.eventId])).size).toBe(1);
    await deleteWebhookSubscription(h.deps, admin, subscription.id);
  });

  it('gives up after the last attempt, with the reason in the delivery log', async () => {
    const { subscription } = await createWebhookSubscription(h.deps, admin, { name: 'wrong-secret', url: `${receiver.url}/x`, events: ['webhook.test'] });
    // The receiver does not know this secret: it answers 401 every time.
    await testWebhookSubscription(h.deps, admin, subscription.id);
    const d = await eventually(async () => {
      const [x] = (await listWebhookDeliveries(h.deps, admin, { subscriptionId: subscription.id, first: 1 })).nodes;
      return x?.status === 'FAILED' ? x : null;
    }, 'the delivery to fail', 30_000);
    expect(d).toMatchObject({ attempts: h.config.webhooks.maxAttempts, lastStatusCode: 401, lastError: 'answered 401: bad signature' });
    await deleteWebhookSubscription(h.deps, admin, subscription.id);
  });

  it('signs with both secrets while a rotation is in grace, then with the new one only', async () => {
    const { subscription, secret: old } = await createWebhookSubscription(h.deps, admin, { name: 'rotating', url: `${receiver.url}/r`, events: ['webhook.test'] });
    const rotated = await rotateWebhookSecret(h.deps, admin, subscription.id);
    expect(rotated.secret).not.toBe(old);
    receiver.forget();
    receiver.trust(old);
    const before = receiver.received.length;
    await testWebhookSubscription(h.deps, admin, subscription.id);
    await eventually(async () => receiver.received.length > before, 'the test delivery');
    const first = receiver.received.at(-1)!;
    expect(String(first.headers[WEBHOOK_HEADERS.signature])).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(first.verified).toBe(true); // a receiver still on the old secret keeps working

    await rotateWebhookSecret(h.deps, admin, subscription.id, { graceHours: 0 });
    const n = receiver.received.length;
    await testWebhookSubscription(h.deps, admin, subscription.id);
    await eventually(async () => receiver.received.length > n, 'the second test delivery');
    expect(String(receiver.received.at(-1)!.headers[WEBHOOK_HEADERS.signature])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(receiver.received.at(-1)!.verified).toBe(false); // the old secret no longer signs
    await deleteWebhookSubscription(h.deps, admin, subscription.id);
  });

  it('tells subscribers of containments applied and released, once Kafka has them', async () => {
    const { subscription, secret } = await createWebhookSubscription(h.deps, admin, { name: 'nac', url: `${receiver.url}/nac`, events: ['containment.applied', 'containment.released'] });
    receiver.trust(secret);
    const model = await h.tdb.db.deviceModel.create({ data: { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' } });
    const bulb = await h.tdb.db.device.create({ data: { serial: 'bulb-9', controllerId: 'bulb-9', name: 'bulb', kind: 'LIGHT', modelId: model.id, segmentId: h.segmentId, status: 'ACTIVE' } });
    const responder = await h.person('RESPONDER');
    const cdeps = { ...h.deps, redisPrefix: h.config.redisPrefix };
    const q = await quarantineDevices(cdeps, responder, { deviceIds: [bulb.id], reason: 'scanning port 23' });
    const id = q.containments[0]!.id;
    await eventually(async () => receiver.accepted('containment.applied').length === 1, 'containment.applied');
    await releaseContainment(cdeps, responder, { id, reason: 'cleaned' });
    await eventually(async () => receiver.accepted('containment.released').length === 1, 'containment.released');
    const [applied, released] = [receiver.accepted('containment.applied')[0]!, receiver.accepted('containment.released')[0]!];
    expect(applied.body).toMatchObject({ id: `containment.${id}.1`, data: { containment: { containmentId: id, action: 'QUARANTINE_DEVICES', status: 'APPLIED', reason: 'scanning port 23', actor: `user:${responder.id}` } } });
    expect(released.body).toMatchObject({ id: `containment.${id}.2`, data: { containment: { containmentId: id, status: 'RELEASED' } } });
    expect([applied, released].every((r) => r.verified)).toBe(true);
    await deleteWebhookSubscription(h.deps, admin, subscription.id);
  });

  it('refuses URLs the SSRF policy forbids: at creation for literals, when connecting for names', async () => {
    await expect(createWebhookSubscription(h.deps, admin, { name: 'meta', url: 'http://169.254.169.254/latest', events: ['*'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^url: refused: 169.254.169.254 is a linkLocal address/) });
    await expect(createWebhookSubscription(h.deps, admin, { name: 'ftp', url: 'ftp://files.example.com/x', events: ['*'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/only http and https/) });
    await expect(createWebhookSubscription(h.deps, admin, { name: 'typo', url: 'https://x.example.com', events: ['incident.open'] })).rejects.toMatchObject({ message: expect.stringMatching(/^events\.0: an event type/) });
    await expect(createWebhookSubscription(h.deps, admin, { name: 'Bad Name', url: 'https://x.example.com', events: ['*'] })).rejects.toMatchObject({ message: expect.stringMatching(/^name:/) });
    // "localhost" passes the form check but resolves to loopback, which a strict deployment refuses.
    const strict = { ...h.deps, webhooks: { ...h.deps.webhooks, policy: { allowNetworks: [] } } };
    const { subscription } = await createWebhookSubscription(strict, admin, { name: 'sneaky', url: `${receiver.url.replace('127.0.0.1', 'localhost')}/s`, events: ['webhook.test'] });
    await expect(updateWebhookSubscription(strict, admin, subscription.id, { url: 'http://10.0.0.5/' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const { deliverWebhook } = await import('@warden/core/webhooks');
    // Deliver it here with the strict policy (the running worker allows loopback for these tests).
    await worker.stop();
    const before = receiver.received.length;
    const delivery = await testWebhookSubscription(h.deps, admin, subscription.id);
    expect(await deliverWebhook(strict, delivery.id)).toBe('FAILED');
    const row = await h.tdb.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1, lastStatusCode: null });
    expect(row.lastError).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
    expect(receiver.received.length).toBe(before);
  });
});

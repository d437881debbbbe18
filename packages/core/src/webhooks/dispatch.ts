import type { WebhookDelivery, WebhookSubscription } from '@warden/db';
import { WEBHOOK_HEADERS, type WebhookEnvelope } from '@warden/contracts';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { signWebhook } from '../playbooks/webhook-signature.js';
import { deliveryBackoffMs, type WebhookDeps } from './deps.js';
import { sendWebhook, type SendOutcome } from './http-sender.js';

/** An event for webhook subscribers; `id` is deterministic so dispatching it twice delivers it once. */
export interface WebhookEvent {
  id: string;
  type: string;
  occurredAt: Date | string;
  data: Record<string, unknown>;
}

export const envelopeOf = (e: WebhookEvent): WebhookEnvelope => ({
  id: e.id,
  type: e.type,
  occurredAt: typeof e.occurredAt === 'string' ? e.occurredAt : e.occurredAt.toISOString(),
  data: e.data,
});

/**
 * One delivery per enabled subscription of the event's type (or of `*`), unique per subscription
 * and event, each queued for its first attempt. Returns how many deliveries were created.
 */
export async function dispatchWebhookEvent(deps: WebhookDeps, event: WebhookEvent): Promise<number> {
  const subs = await deps.db.webhookSubscription.findMany({
    where: { enabled: true, events: { hasSome: [event.type, '*'] } },
    select: { id: true, url: true },
  });
  if (!subs.length) return 0;
  const payload = envelopeOf(event);
  const created = await deps.db.webhookDelivery.createManyAndReturn({
    data: subs.map((s) => ({ subscriptionId: s.id, eventId: event.id, event: event.type, url: s.url, payload: payload as object, nextAttemptAt: now(deps) })),
    skipDuplicates: true,
    select: { id: true },
  });
  for (const d of created) await deps.jobs.enqueue('webhook.deliver', { deliveryId: d.id }, { jobId: `deliver.${d.id}.1` });
  return created.length;
}

/** The signature header: the current secret, plus the previous one while a rotation's grace lasts. */
function signatureFor(deps: WebhookDeps, sub: WebhookSubscription, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const header = signWebhook(deps.webhooks.secretBox.open(sub.secretCiphertext, sub.id), body, t);
  if (sub.previousSecretCiphertext && sub.previousSecretExpiresAt && sub.previousSecretExpiresAt > at) {
    const old = signWebhook(deps.webhooks.secretBox.open(sub.previousSecretCiphertext, sub.id), body, t);
    return `${header},${old.slice(old.indexOf(',') + 1)}`;
  }
  return header;
}

/**
 * Claims the next attempt of a delivery (only one worker sends it), sends it, and records the
 * outcome. The claim leases the delivery for twice the attempt timeout: a worker that dies
 * mid-attempt leaves a delivery the sweep picks up once the lease runs out.
 */
async function attempt(deps: WebhookDeps, deliveryId: string, opts: { ignoreLease?: boolean } = {}): Promise<{ delivery: WebhookDelivery; outcome: SendOutcome } | null> {
  const lease = new Date(now(deps).getTime() + deps.webhooks.timeoutMs * 2);
  const due = opts.ignoreLease ? new Date(8.64e15) : now(deps);
  const [claimed] = await deps.db.$queryRaw<{ id: string }[]>`
    UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ${lease}, updated_at = now()
     WHERE id = ${deliveryId}::uuid AND status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= ${due})
    RETURNING id`;
  if (!claimed) return null;
  const delivery = await deps.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { subscription: true } });
  const body = JSON.stringify(delivery.payload);
  let outcome: SendOutcome;
  try {
    const at = now(deps);
    outcome = await sendWebhook(delivery.url, body, {
      [WEBHOOK_HEADERS.signature]: signatureFor(deps, delivery.subscription, body, at),
      [WEBHOOK_HEADERS.event]: delivery.event,
      [WEBHOOK_HEADERS.eventId]: delivery.eventId,
      [WEBHOOK_HEADERS.delivery]: delivery.id,
      [WEBHOOK_HEADERS.attempt]: String(delivery.attempts),
    }, { policy: deps.webhooks.policy, timeoutMs: deps.webhooks.timeoutMs });
  } catch (err) {
    // A secret that no longer decrypts: no attempt can succeed until it is rotated.
    outcome = { ok: false, status: null, error: (err as Error).message, ms: 0, retryable: false };
  }
  return { delivery, outcome };
}

export type DeliveryResult = 'SUCCEEDED' | 'RETRY' | 'FAILED' | 'SKIPPED';

/**
 * One attempt of a subscription delivery (the `webhook.deliver` job). A failure schedules the
 * next attempt with backoff until WEBHOOK_MAX_ATTEMPTS; then the delivery is FAILED.
 */
export async function deliverWebhook(deps: WebhookDeps, deliveryId: string): Promise<DeliveryResult> {
  const a = await attempt(deps, deliveryId);
  if (!a) return 'SKIPPED';
  const { delivery, outcome } = a;
  const at = now(deps);
  if (outcome.ok) {
    await deps.db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: 'SUCCEEDED', lastStatusCode: outcome.status, lastError: null, deliveredAt: at, nextAttemptAt: null, updatedAt: at } });
    return 'SUCCEEDED';
  }
  const last = !outcome.retryable || delivery.attempts >= deps.webhooks.maxAttempts;
  const next = last ? null : new Date(at.getTime() + deliveryBackoffMs(deps.webhooks.retryBaseMs, delivery.attempts));
  await deps.db.webhookDelivery.update({
    where: { id: deliveryId },
    data: { status: last ? 'FAILED' : 'PENDING', lastStatusCode: outcome.status, lastError: outcome.error.slice(0, 1000), nextAttemptAt: next, updatedAt: at },
  });
  if (next) await deps.jobs.enqueue('webhook.deliver', { deliveryId }, { jobId: `deliver.${deliveryId}.${delivery.attempts + 1}`, delayMs: next.getTime() - at.getTime() });
  return last ? 'FAILED' : 'RETRY';
}

/**
 * Delivers one event to given subscriptions now, in the caller (a playbook's notify_webhook step):
 * deliveries are unique per (subscription, event id), so a step that runs again sends only what
 * did not get through. Retrying is the caller's (the step's); on its last attempt the deliveries
 * still pending are marked FAILED.
 */
export async function deliverNow(
  deps: WebhookDeps,
  targets: { subscription: WebhookSubscription; url: string }[],
  event: WebhookEvent,
  opts: { runId?: string; lastAttempt: boolean },
): Promise<{ delivered: number; failed: { subscription: string; error: string; /** Trying again cannot help (the URL policy refuses it). */ permanent: boolean }[] }> {
  const payload = envelopeOf(event);
  await deps.db.webhookDelivery.createMany({
    data: targets.map((t) => ({ subscriptionId: t.subscription.id, eventId: event.id, event: event.type, url: t.url, payload: payload as object, runId: opts.runId ?? null })),
    skipDuplicates: true,
  });
  const rows = await deps.db.webhookDelivery.findMany({ where: { eventId: event.id, subscriptionId: { in: targets.map((t) => t.subscription.id) } }, include: { subscription: true } });
  const failed: { subscription: string; error: string; permanent: boolean }[] = [];
  let delivered = 0;
  for (const row of rows) {
    if (row.status === 'SUCCEEDED') {
      delivered++;
      continue;
    }
    // Reopen a delivery a previous run attempt gave up on: the step is trying again.
    if (row.status === 'FAILED') await deps.db.webhookDelivery.update({ where: { id: row.id }, data: { status: 'PENDING', nextAttemptAt: null } });
    // The caller holds its run's lock: a lease left by an attempt that died with its worker is void.
    const a = await attempt(deps, row.id, { ignoreLease: true });
    const at = now(deps);
    if (a?.outcome.ok) {
      await deps.db.webhookDelivery.update({ where: { id: row.id }, data: { status: 'SUCCEEDED', lastStatusCode: a.outcome.status, lastError: null, deliveredAt: at, nextAttemptAt: null, updatedAt: at } });
      delivered++;
      continue;
    }
    if (!a) {
      failed.push({ subscription: row.subscription.name, error: 'another attempt is in flight', permanent: false });
      continue;
    }
    const out = a.outcome as Extract<SendOutcome, { ok: false }>;
    failed.push({ subscription: row.subscription.name, error: out.error, permanent: !out.retryable });
    await deps.db.webhookDelivery.update({
      where: { id: row.id },
      data: { status: opts.lastAttempt || !out.retryable ? 'FAILED' : 'PENDING', lastStatusCode: out.status, lastError: out.error.slice(0, 1000), nextAttemptAt: null, updatedAt: at },
    });
  }
  return { delivered, failed };
}

/** Re-queues subscription deliveries whose next attempt is overdue (a lost delayed job, a worker that died mid-attempt). */
export async function sweepWebhookDeliveries(deps: WebhookDeps, limit = 500): Promise<number> {
  const overdue = await deps.db.webhookDelivery.findMany({
    where: { status: 'PENDING', runId: null, nextAttemptAt: { lt: new Date(now(deps).getTime() - 5000) } },
    select: { id: true, attempts: true, nextAttemptAt: true },
    orderBy: { nextAttemptAt: 'asc' },
    take: limit,
  });
  for (const d of overdue) {
    await deps.jobs.enqueue('webhook.deliver', { deliveryId: d.id }, { jobId: `deliver.${d.id}.${d.attempts + 1}.${d.nextAttemptAt!.getTime()}` });
  }
  return overdue.length;
}

/** Sends a `webhook.test` event to one subscription (ADMIN), through the normal delivery path. */
export async function testWebhookSubscription(deps: WebhookDeps, actor: Actor, id: string): Promise<WebhookDelivery> {
  requireRole(actor, 'ADMIN');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ValidationError('id: not an id', 'id');
  const at = now(deps);
  const delivery = await deps.db.$transaction(async (tx) => {
    const sub = await tx.webhookSubscription.findUnique({ where: { id } });
    if (!sub) throw new NotFoundError('webhook subscription', id);
    const eventId = `test.${crypto.randomUUID()}`;
    const payload = envelopeOf({ id: eventId, type: 'webhook.test', occurredAt: at, data: { subscription: sub.name, requestedBy: actor.name } });
    const row = await tx.webhookDelivery.create({ data: { subscriptionId: id, eventId, event: 'webhook.test', url: sub.url, payload: payload as object, nextAttemptAt: at } });
    await audit(tx, actor, { action: 'webhook.test', targetType: 'WebhookSubscription', targetId: id, summary: { name: sub.name, deliveryId: row.id } });
    return row;
  });
  await deps.jobs.enqueue('webhook.deliver', { deliveryId: delivery.id }, { jobId: `deliver.${delivery.id}.1` });
  return delivery;
}

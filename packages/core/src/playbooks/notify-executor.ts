import { NotFoundError, ValidationError } from '../errors.js';
import { deliverNow } from '../webhooks/dispatch.js';
import { incidentView } from '../webhooks/events.js';
import type { WebhookDeps } from '../webhooks/deps.js';
import type { StepEffect, StepExecution } from './executors.js';

/**
 * The notify_webhook step: to one URL signed with a named subscription's secret, or to every
 * enabled subscription of the step's event. Deliveries are keyed by the step's idempotency key, so
 * a retried step sends only what did not get through; receivers deduplicate on the event id.
 */
export async function notifyWebhookStep(deps: WebhookDeps, x: StepExecution<'notify_webhook'>): Promise<StepEffect> {
  const step = x.planned.step;
  let targets;
  if (step.url) {
    const sub = await deps.db.webhookSubscription.findUnique({ where: { name: step.secret! } });
    if (!sub) throw new NotFoundError('webhook subscription', step.secret!);
    targets = [{ subscription: sub, url: step.url }];
  } else {
    const subs = await deps.db.webhookSubscription.findMany({ where: { enabled: true, events: { hasSome: [step.event, '*'] } } });
    targets = subs.map((subscription) => ({ subscription, url: subscription.url }));
  }
  if (!targets.length) return { summary: `no subscription listens to ${step.event}`, result: { delivered: 0, event: step.event } };
  const event = {
    id: x.idempotencyKey,
    type: step.event,
    occurredAt: new Date(),
    data: {
      message: step.message ?? null,
      playbook: x.playbook,
      step: { id: step.id, index: x.planned.index },
      run: {
        id: x.runId,
        steps: x.run.steps.map((s) => ({ id: s.plan.id, type: s.plan.type, status: s.status, summary: (s.result as { summary?: string } | null)?.summary ?? null })),
      },
      incident: incidentView(x.incident),
    },
  };
  const out = await deliverNow(deps, targets, event, { runId: x.runId, lastAttempt: x.attempt >= step.maxAttempts });
  if (out.failed.length) {
    const text = `${out.failed.length} of ${targets.length} webhook${targets.length === 1 ? '' : 's'} failed: ${out.failed.map((f) => `${f.subscription}: ${f.error}`).join('; ')}`.slice(0, 1000);
    // Refused by the URL policy everywhere: retrying the step cannot help.
    if (out.failed.every((f) => f.permanent)) throw new ValidationError(text, 'url');
    throw new Error(text);
  }
  const names = targets.map((t) => t.subscription.name);
  return { summary: `notified ${names.join(', ')} (${step.event})`, result: { delivered: out.delivered, event: step.event, subscriptions: names } };
}

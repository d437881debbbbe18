import { z } from 'zod';

/**
 * webhooks.v1: what Warden POSTs to webhook subscribers (SOAR tools, chat bridges, ticketing).
 *
 * Every delivery is one JSON envelope, signed with the subscription's secret:
 *
 *   Warden-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=<…>]
 *
 * Receivers recompute the HMAC over the raw body, compare in constant time, and refuse timestamps
 * far from their clock (replays). During a secret rotation two `v1=` values are sent (new and old
 * secret); either matching is enough. Delivery is at least once: `Warden-Event-Id` (also the
 * envelope's `id`) is stable across retries, so receivers ignore an id they have seen.
 */

/** Header names (HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = {
  /** `t=<unix seconds>,v1=<hex hmac>`: see above. */
  signature: 'warden-signature',
  /** The event type, e.g. `incident.opened`. */
  event: 'warden-event',
  /** The event id, stable across retries (deduplicate on it). */
  eventId: 'warden-event-id',
  /** This delivery's id (one per subscription and event), as in the delivery log. */
  delivery: 'warden-delivery',
  /** 1 for the first attempt, then 2, 3, ... */
  attempt: 'warden-delivery-attempt',
} as const;

/** Event types a subscription can ask for (`*` means all of them). */
export const WEBHOOK_EVENTS = [
  /** Detection raised an alert. `data`: the alert (alerts.v1) and its incident id. */
  'alert.raised',
  /** Detection opened an incident. `data.incident`. */
  'incident.opened',
  /** An incident gained alerts, or a responder changed its status, assignee or notes. `data.incident`, `data.change`. */
  'incident.changed',
  /** A containment (quarantine, isolation, block, credential rotation) took effect. `data`: the containment.v1 event. */
  'containment.applied',
  /** A containment was released (by a person, undo or expiry). `data`: the containment.v1 event. */
  'containment.released',
  /** A playbook run ended (SUCCEEDED, FAILED or CANCELED). `data.run`. */
  'playbook.run.finished',
  /** Sent by a playbook's notify_webhook step (its `event` may name another type). `data.run`, `data.step`, `data.incident`. */
  'playbook.step',
  /** Sent by `testWebhookSubscription`. */
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The body of every delivery. */
export const webhookEnvelopeSchema = z.strictObject({
  /** Stable across retries; deduplicate on it. */
  id: z.string().min(1),
  /** A {@link WEBHOOK_EVENTS} type, or the `event` a playbook step names. */
  type: z.string(),
  /** When it happened (ISO 8601). */
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

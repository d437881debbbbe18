import type { WebhookDelivery, WebhookSubscription } from '@warden/db';
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '@warden/contracts';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now, type CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { parseInput } from '../validation.js';
import type { WebhookDeps } from './deps.js';
import { newWebhookSecret } from './secret-box.js';
import { checkWebhookUrl } from './url-policy.js';
import { pageSize, readTimeCursor, timeCursor } from '../paging.js';
import { lockRows } from '../locks.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, e.g. soc-pager');
/** Known event types, `*`, or a playbook's own `playbook.*` event (a notify_webhook step's `event`). */
const eventName = z.string().refine((e) => e === '*' || (WEBHOOK_EVENTS as readonly string[]).includes(e) || /^playbook\.[a-z0-9_.-]{1,60}$/.test(e), {
  message: `an event type: ${WEBHOOK_EVENTS.join(', ')}, playbook.<name> or *`,
});

const createInput = z.strictObject({
  name: slug,
  url: z.string(),
  events: z.array(eventName).min(1, 'at least one event (or *)').max(50),
  description: z.string().max(2000).nullish(),
  enabled: z.boolean().default(true),
  /** Your own secret (24+ characters), when the receiver dictates it; otherwise one is generated. */
  secret: z.string().min(24).max(200).nullish(),
});
const updateInput = createInput.omit({ secret: true }).partial();

const hint = (secret: string) => `…${secret.slice(-4)}`;
const UUID = z.uuid();
const uuid = (id: string, field = 'id') => {
  if (!UUID.safeParse(id).success) throw new ValidationError(`${field}: not an id`, field);
  return id;
};

async function uniqueName<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new ConflictError(`a webhook subscription named "${name}" exists`, { field: 'name' });
    throw err;
  }
}

/** Subscribes a URL to events (ADMIN). The signing secret is returned once, here, and stored encrypted. */
export async function createWebhookSubscription(deps: WebhookDeps, actor: Actor, raw: z.input<typeof createInput>): Promise<{ subscription: WebhookSubscription; secret: string }> {
  requireRole(actor, 'ADMIN');
  const input = parseInput(createInput, raw);
  const url = checkWebhookUrl(input.url, deps.webhooks.policy).toString();
  const secret = input.secret ?? newWebhookSecret();
  const id = crypto.randomUUID();
  const subscription = await uniqueName(input.name, () =>
    deps.db.$transaction(async (tx) => {
      const row = await tx.webhookSubscription.create({
        data: {
          id,
          name: input.name,
          url,
          events: [...new Set(input.events)],
          enabled: input.enabled,
          description: input.description ?? null,
          secretCiphertext: deps.webhooks.secretBox.seal(secret, id),
          secretHint: hint(secret),
          createdBy: actor.name,
        },
      });
      await audit(tx, actor, { action: 'webhook.create', targetType: 'WebhookSubscription', targetId: id, summary: { name: row.name, url, events: row.events, enabled: row.enabled } });
      return row;
    }),
  );
  return { subscription, secret };
}

/** Changes a subscription's URL, events, name, description or enabled flag (ADMIN). */
export async function updateWebhookSubscription(deps: WebhookDeps, actor: Actor, id: string, raw: z.input<typeof updateInput>): Promise<WebhookSubscription> {
  requireRole(actor, 'ADMIN');
  uuid(id);
  const input = parseInput(updateInput, raw);
  const url = input.url !== undefined ? checkWebhookUrl(input.url, deps.webhooks.policy).toString() : undefined;
  return uniqueName(input.name ?? '', () =>
    deps.db.$transaction(async (tx) => {
      const before = await tx.webhookSubscription.findUnique({ where: { id } });
      if (!before) throw new NotFoundError('webhook subscription', id);
      const row = await tx.webhookSubscription.update({
        where: { id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(url !== undefined ? { url } : {}),
          ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.description !== undefined ? { description: input.description ?? null } : {}),
          updatedAt: now(deps),
        },
      });
      const view = (s: WebhookSubscription) => ({ name: s.name, url: s.url, events: s.events, enabled: s.enabled });
      await audit(tx, actor, { action: 'webhook.update', targetType: 'WebhookSubscription', targetId: id, summary: { before: view(before), after: view(row) } });
      return row;
    }),
  );
}

/** Deletes a subscription and its delivery log (ADMIN). */
export async function deleteWebhookSubscription(deps: CoreDeps, actor: Actor, id: string): Promise<WebhookSubscription> {
  requireRole(actor, 'ADMIN');
  uuid(id);
  return deps.db.$transaction(async (tx) => {
    const row = await tx.webhookSubscription.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('webhook subscription', id);
    await tx.webhookSubscription.delete({ where: { id } });
    await audit(tx, actor, { action: 'webhook.delete', targetType: 'WebhookSubscription', targetId: id, summary: { name: row.name, url: row.url } });
    return row;
  });
}

/**
 * A new signing secret (ADMIN), returned once. The old one keeps signing beside it for
 * `graceHours` (deliveries carry both signatures), so receivers can switch without a gap.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, actor: Actor, id: string, opts: { graceHours?: number | null } = {}): Promise<{ subscription: WebhookSubscription; secret: string }> {
  requireRole(actor, 'ADMIN');
  uuid(id);
  const graceHours = opts.graceHours ?? 24;
  if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > 24 * 30) throw new ValidationError('graceHours: from 0 to 720', 'graceHours');
  const secret = newWebhookSecret();
  return deps.db.$transaction(async (tx) => {
    // Locked: of two rotations at once, the later keeps the earlier's new secret as the previous one.
    await lockRows(tx, 'webhook_subscriptions', id);
    const before = await tx.webhookSubscription.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('webhook subscription', id);
    const at = now(deps);
    const subscription = await tx.webhookSubscription.update({
      where: { id },
      data: {
        secretCiphertext: deps.webhooks.secretBox.seal(secret, id),
        secretHint: hint(secret),
        previousSecretCiphertext: graceHours > 0 ? before.secretCiphertext : null,
        previousSecretExpiresAt: graceHours > 0 ? new Date(at.getTime() + graceHours * 3_600_000) : null,
        updatedAt: at,
      },
    });
    await audit(tx, actor, { action: 'webhook.rotateSecret', targetType: 'WebhookSubscription', targetId: id, summary: { name: before.name, graceHours } });
    return { subscription, secret };
  });
}

export async function listWebhookSubscriptions(deps: CoreDeps, actor: Actor): Promise<WebhookSubscription[]> {
  requireRole(actor, 'ADMIN');
  return deps.db.webhookSubscription.findMany({ orderBy: { name: 'asc' } });
}

export async function getWebhookSubscription(deps: CoreDeps, actor: Actor, id: string): Promise<WebhookSubscription | null> {
  requireRole(actor, 'ADMIN');
  if (!UUID.safeParse(id).success) return null;
  return deps.db.webhookSubscription.findUnique({ where: { id } });
}

const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;

/** The delivery log, newest first (ADMIN). */
export async function listWebhookDeliveries(
  deps: CoreDeps,
  actor: Actor,
  args: { subscriptionId?: string | null; runId?: string | null; status?: string | null; first: number; after?: string | null },
): Promise<{ nodes: WebhookDelivery[]; hasNextPage: boolean; endCursor: string | null }> {
  requireRole(actor, 'ADMIN');
  pageSize(deps, args.first);
  if (args.status && !(DELIVERY_STATUSES as readonly string[]).includes(args.status)) throw new ValidationError(`status: one of ${DELIVERY_STATUSES.join(', ')}`, 'status');
  const cursor = args.after ? readTimeCursor(args.after) : null;
  const where = {
    ...(args.subscriptionId ? { subscriptionId: uuid(args.subscriptionId, 'subscriptionId') } : {}),
    ...(args.runId ? { runId: uuid(args.runId, 'runId') } : {}),
    ...(args.status ? { status: args.status } : {}),
  };
  const rows = await deps.db.webhookDelivery.findMany({
    where: cursor ? { AND: [where, { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] }] } : where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: args.first + 1,
  });
  const nodes = rows.slice(0, args.first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > args.first, endCursor: last ? timeCursor(last.createdAt, last.id) : null };
}

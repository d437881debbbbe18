import type { WebhookDelivery, WebhookSubscription } from '@warden/db';
import { requireRole } from '@warden/core';
import { WEBHOOK_EVENTS } from '@warden/contracts';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  getWebhookSubscription,
  listWebhookDeliveries,
  listWebhookSubscriptions,
  rotateWebhookSecret,
  testWebhookSubscription,
  updateWebhookSubscription,
  type WebhookDeps,
} from '@warden/core/webhooks';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';

type Ctx = GraphQLContext;
const webhookDeps = (ctx: Ctx): WebhookDeps => ({ ...ctx.deps, jobs: ctx.services.jobs, webhooks: ctx.services.webhooks });
const page = <T>(p: { nodes: T[]; hasNextPage: boolean; endCursor: string | null }) => ({
  nodes: p.nodes,
  pageInfo: { hasNextPage: p.hasNextPage, hasPreviousPage: false, startCursor: null, endCursor: p.endCursor },
});
const present = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: NonNullable<T[K]> };

/** Outgoing webhooks in GraphQL (ADMIN): subscriptions, secrets shown once, the delivery log. */
export const webhooksModule: Module = {
  typeDefs: /* GraphQL */ `
    enum WebhookDeliveryStatus {
      PENDING
      SUCCEEDED
      FAILED
    }

    "Where automation hears about events; every delivery is signed (header Warden-Signature: t=<unix>,v1=<hex HMAC-SHA256 of '<t>.<body>'>)."
    type WebhookSubscription {
      id: ID!
      "Lower-case letters, digits and dashes; playbook notify steps name it."
      name: String!
      url: String!
      "Event types: alert.raised, incident.opened, incident.changed, containment.applied, containment.released, playbook.run.finished, playbook.<name>, or *."
      events: [String!]!
      enabled: Boolean!
      description: String
      "The last four characters of the signing secret."
      secretHint: String!
      "Until then the previous secret also signs (after a rotation)."
      previousSecretExpiresAt: DateTime
      createdBy: String
      createdAt: DateTime!
      updatedAt: DateTime!
      "Newest first."
      deliveries(first: Int = 20, status: WebhookDeliveryStatus): WebhookDeliveryConnection!
    }

    type WebhookSubscriptionWithSecret {
      subscription: WebhookSubscription!
      "The signing secret, shown this once (stored encrypted)."
      secret: String!
    }

    "One event for one subscription, with its attempts."
    type WebhookDelivery {
      id: ID!
      subscription: WebhookSubscription
      "Stable across retries (header Warden-Event-Id): deduplicate on it."
      eventId: String!
      event: String!
      url: String!
      "The body sent."
      payload: JSON!
      status: WebhookDeliveryStatus!
      attempts: Int!
      lastStatusCode: Int
      lastError: String
      "The playbook run whose notify step sent it."
      run: PlaybookRun
      nextAttemptAt: DateTime
      deliveredAt: DateTime
      createdAt: DateTime!
    }

    type WebhookDeliveryConnection {
      nodes: [WebhookDelivery!]!
      pageInfo: PageInfo!
    }

    input WebhookSubscriptionInput {
      name: String!
      "http(s) only; private, loopback and link-local addresses are refused unless WEBHOOK_ALLOW_NETWORKS lists them."
      url: String!
      events: [String!]!
      description: String
      enabled: Boolean = true
      "Your own secret (24+ characters) when the receiver dictates one; otherwise one is generated."
      secret: String
    }

    input WebhookSubscriptionPatch {
      name: String
      url: String
      events: [String!]
      description: String
      enabled: Boolean
    }

    extend type Query {
      "Webhook subscriptions by name (ADMIN)."
      webhookSubscriptions: [WebhookSubscription!]!
      webhookSubscription(id: ID!): WebhookSubscription
      "The delivery log, newest first (ADMIN)."
      webhookDeliveries(subscriptionId: ID, runId: ID, status: WebhookDeliveryStatus, first: Int = 50, after: String): WebhookDeliveryConnection!
      "Event types a subscription can ask for (besides playbook.<name> and *)."
      webhookEventTypes: [String!]!
    }

    extend type Mutation {
      "Subscribes a URL to events; the signing secret is in the answer, once (ADMIN)."
      createWebhookSubscription(input: WebhookSubscriptionInput!): WebhookSubscriptionWithSecret!
      updateWebhookSubscription(id: ID!, input: WebhookSubscriptionPatch!): WebhookSubscription!
      "Deletes a subscription and its delivery log (ADMIN)."
      deleteWebhookSubscription(id: ID!): WebhookSubscription!
      "A new signing secret, shown once; the old one also signs for graceHours (ADMIN)."
      rotateWebhookSecret(id: ID!, graceHours: Int = 24): WebhookSubscriptionWithSecret!
      "Sends a webhook.test event to the subscription (ADMIN)."
      testWebhookSubscription(id: ID!): WebhookDelivery!
    }
  `,
  resolvers: {
    WebhookSubscription: {
      deliveries: async (s: WebhookSubscription, a: { first: number; status?: string | null }, ctx: Ctx) =>
        page(await listWebhookDeliveries(ctx.deps, ctx.actor!, { subscriptionId: s.id, status: a.status ?? null, first: a.first })),
    },
    WebhookDelivery: {
      subscription: (d: WebhookDelivery, _: unknown, ctx: Ctx) => ctx.deps.db.webhookSubscription.findUnique({ where: { id: d.subscriptionId } }),
      run: (d: WebhookDelivery, _: unknown, ctx: Ctx) => (d.runId ? ctx.deps.db.playbookRun.findUnique({ where: { id: d.runId } }) : null),
    },
    Query: {
      webhookSubscriptions: (_: unknown, __: unknown, ctx: Ctx) => listWebhookSubscriptions(ctx.deps, ctx.actor!),
      webhookSubscription: (_: unknown, a: { id: string }, ctx: Ctx) => getWebhookSubscription(ctx.deps, ctx.actor!, a.id),
      webhookDeliveries: async (_: unknown, a: { subscriptionId?: string | null; runId?: string | null; status?: string | null; first: number; after?: string | null }, ctx: Ctx) =>
        page(await listWebhookDeliveries(ctx.deps, ctx.actor!, a)),
      webhookEventTypes: (_: unknown, __: unknown, ctx: Ctx) => {
        requireRole(ctx.actor, 'VIEWER');
        return WEBHOOK_EVENTS;
      },
    },
    Mutation: {
      createWebhookSubscription: (_: unknown, a: { input: { name: string; url: string; events: string[]; description?: string | null; enabled?: boolean | null; secret?: string | null } }, ctx: Ctx) =>
        createWebhookSubscription(webhookDeps(ctx), ctx.actor!, present(a.input) as never),
      updateWebhookSubscription: (_: unknown, a: { id: string; input: Record<string, unknown> }, ctx: Ctx) =>
        updateWebhookSubscription(webhookDeps(ctx), ctx.actor!, a.id, present(a.input)),
      deleteWebhookSubscription: (_: unknown, a: { id: string }, ctx: Ctx) => deleteWebhookSubscription(ctx.deps, ctx.actor!, a.id),
      rotateWebhookSecret: (_: unknown, a: { id: string; graceHours?: number | null }, ctx: Ctx) => rotateWebhookSecret(webhookDeps(ctx), ctx.actor!, a.id, { graceHours: a.graceHours ?? null }),
      testWebhookSubscription: (_: unknown, a: { id: string }, ctx: Ctx) => testWebhookSubscription(webhookDeps(ctx), ctx.actor!, a.id),
    },
  },
};

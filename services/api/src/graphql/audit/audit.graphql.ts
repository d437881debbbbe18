import type { AuditLog } from '@warden/db';
import { queryAudit, requireRole, type AuditFilter } from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';

export const auditModule: Module = {
  typeDefs: /* GraphQL */ `
    "One recorded mutation: who did what to which target, when and from where."
    type AuditEntry {
      id: ID!
      at: DateTime!
      actorType: ActorType!
      actorId: String
      actorName: String!
      action: String!
      targetType: String
      targetId: String
      "Before/after summary of the change."
      summary: JSON!
      ip: String
      requestId: String
    }

    type AuditConnection {
      nodes: [AuditEntry!]!
      pageInfo: PageInfo!
    }

    input AuditFilter {
      actions: [String!]
      "Actions starting with this, e.g. device."
      actionPrefix: String
      actorId: String
      actorName: String
      targetType: String
      targetId: String
      after: DateTime
      before: DateTime
    }

    extend type Query {
      "The audit log, newest first (ADMIN)."
      auditLog(filter: AuditFilter, first: Int! = 50, after: String): AuditConnection!
    }
  `,
  resolvers: {
    AuditEntry: { id: (e: AuditLog) => e.id.toString() },
    Query: {
      auditLog: async (_: unknown, args: { filter?: AuditFilter | null; first: number; after?: string | null }, ctx: GraphQLContext) => {
        const page = await queryAudit(ctx.deps, requireRole(ctx.actor, 'VIEWER'), {
          filter: args.filter ?? {},
          first: args.first,
          after: args.after ?? null,
        });
        const last = page.nodes.at(-1);
        return {
          nodes: page.nodes,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: !!args.after,
            startCursor: page.nodes[0]?.id.toString() ?? null,
            endCursor: last ? last.id.toString() : null,
          },
        };
      },
    },
  },
};

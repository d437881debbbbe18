import {
  changePassword,
  createApiKey,
  createUser,
  listApiKeys,
  listUsers,
  login,
  logout,
  RateLimitedError,
  requireRole,
  revokeApiKey,
  updateUser,
} from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';

export const identityModule: Module = {
  typeDefs: /* GraphQL */ `
    "Roles in increasing power: each can do everything the ones before it can."
    enum Role {
      VIEWER
      OPERATOR
      RESPONDER
      ADMIN
    }

    enum ActorType {
      USER
      API_KEY
      DEVICE
      SYSTEM
    }

    "Who is calling: a signed-in user or an API key."
    type Viewer {
      type: ActorType!
      id: ID
      name: String!
      role: Role!
      "The user behind a session (null for API keys)."
      user: User
    }

    type User {
      id: ID!
      email: String!
      name: String!
      role: Role!
      disabled: Boolean!
      lastLoginAt: DateTime
      createdAt: DateTime!
    }

    "A key for automation. The secret is shown once, at creation."
    type ApiKey {
      id: ID!
      name: String!
      "First characters of the key, to tell keys apart."
      prefix: String!
      role: Role!
      createdAt: DateTime!
      expiresAt: DateTime
      revokedAt: DateTime
      lastUsedAt: DateTime
      lastUsedIp: String
      active: Boolean!
    }

    type LoginPayload {
      "Bearer token for the Authorization header. Keep it secret."
      token: String!
      expiresAt: DateTime!
      user: User!
    }

    type CreateApiKeyPayload {
      apiKey: ApiKey!
      "The key itself. It is not stored and cannot be shown again."
      secret: String!
    }

    input CreateUserInput {
      email: String!
      name: String!
      "At least 12 characters."
      password: String!
      role: Role!
    }

    input UpdateUserInput {
      name: String
      role: Role
      disabled: Boolean
    }

    input CreateApiKeyInput {
      name: String!
      role: Role!
      expiresAt: DateTime
    }

    extend type Query {
      "The caller. Fails with UNAUTHENTICATED when not signed in."
      me: Viewer!
      "Users (ADMIN)."
      users: [User!]!
      "API keys (ADMIN)."
      apiKeys: [ApiKey!]!
    }

    extend type Mutation {
      "Signs in; rate-limited per client and per account."
      login(email: String!, password: String!): LoginPayload!
      "Ends the current session."
      logout: Boolean!
      changePassword(currentPassword: String!, newPassword: String!): Boolean!
      createUser(input: CreateUserInput!): User!
      updateUser(id: ID!, input: UpdateUserInput!): User!
      createApiKey(input: CreateApiKeyInput!): CreateApiKeyPayload!
      revokeApiKey(id: ID!): ApiKey!
    }
  `,
  resolvers: {
    Viewer: {
      user: (v: { type: string; id: string | null }, _: unknown, ctx: GraphQLContext) =>
        v.type === 'USER' && v.id ? ctx.deps.db.user.findUnique({ where: { id: v.id } }) : null,
    },
    User: { disabled: (u: { disabledAt: Date | null }) => u.disabledAt !== null },
    ApiKey: {
      active: (k: { revokedAt: Date | null; expiresAt: Date | null }) => !k.revokedAt && (!k.expiresAt || k.expiresAt > new Date()),
    },
    Query: {
      me: (_: unknown, __: unknown, ctx: GraphQLContext) => requireRole(ctx.actor, 'VIEWER'),
      users: (_: unknown, __: unknown, ctx: GraphQLContext) => listUsers(ctx.deps, requireRole(ctx.actor, 'ADMIN')),
      apiKeys: (_: unknown, __: unknown, ctx: GraphQLContext) => listApiKeys(ctx.deps, requireRole(ctx.actor, 'ADMIN')),
    },
    Mutation: {
      login: async (_: unknown, args: { email: string; password: string }, ctx: GraphQLContext) => {
        const wait = await ctx.services.loginLimiter.consume(ctx.ip, args.email);
        if (wait) throw new RateLimitedError(`too many sign-in attempts; try again in ${wait} s`, wait);
        const result = await login(ctx.deps, { ...args, ip: ctx.ip, userAgent: ctx.userAgent });
        await ctx.services.loginLimiter.reset(args.email);
        return result;
      },
      logout: async (_: unknown, __: unknown, ctx: GraphQLContext) => {
        const done = await logout(ctx.deps, requireRole(ctx.actor, 'VIEWER'), ctx.token ?? '');
        ctx.services.actors.forgetSecret(ctx.token ?? '');
        return done;
      },
      changePassword: (_: unknown, args: { currentPassword: string; newPassword: string }, ctx: GraphQLContext) =>
        changePassword(ctx.deps, requireRole(ctx.actor, 'VIEWER'), args),
      createUser: (_: unknown, { input }: { input: Parameters<typeof createUser>[2] }, ctx: GraphQLContext) => createUser(ctx.deps, requireRole(ctx.actor, 'VIEWER'), input),
      updateUser: async (_: unknown, args: { id: string; input: Parameters<typeof updateUser>[3] }, ctx: GraphQLContext) => {
        const user = await updateUser(ctx.deps, requireRole(ctx.actor, 'VIEWER'), args.id, args.input);
        ctx.services.actors.forget(user.id); // a new role or a disabled account applies at once
        return user;
      },
      createApiKey: (_: unknown, { input }: { input: Parameters<typeof createApiKey>[2] }, ctx: GraphQLContext) =>
        createApiKey(ctx.deps, requireRole(ctx.actor, 'VIEWER'), input),
      revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: GraphQLContext) => {
        const key = await revokeApiKey(ctx.deps, requireRole(ctx.actor, 'VIEWER'), id);
        ctx.services.actors.forget(id);
        return key;
      },
    },
  },
};

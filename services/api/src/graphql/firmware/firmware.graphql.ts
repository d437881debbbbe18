import type { AdvisoryAffected, Artifact, Release } from '@warden/db';
import { requireRole } from '@warden/core';
import { createGatewayToken } from '@warden/core/ddi';
import {
  createRelease,
  getAdvisory,
  getArtifact,
  getRelease,
  importOsvAdvisory,
  listAdvisories,
  listArtifacts,
  listReleases,
  upsertAdvisory,
  type AdvisoryInput,
  type CreateReleaseInput,
} from '@warden/core/firmware';
import type { GraphQLContext } from '../../context.js';
import type { Module } from '../module.js';

type Ctx = GraphQLContext;
const viewer = (ctx: Ctx) => requireRole(ctx.actor, 'VIEWER');
const page = (ctx: Ctx, first: number, skip: number) => ({ take: Math.min(Math.max(first, 0), ctx.deps.config.graphql.maxPageSize), skip: Math.max(skip, 0) });
const orNull = <T>(p: Promise<T>) => p.catch((e: { code?: string }) => (e.code === 'NOT_FOUND' ? null : Promise.reject(e)));
const noNulls = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;

export const firmwareModule: Module = {
  typeDefs: /* GraphQL */ `
    "A firmware file, stored by content hash and signed (Ed25519 over its SHA-256 digest)."
    type Artifact {
      id: ID!
      filename: String!
      size: Float!
      sha256: String!
      sha1: String!
      md5: String!
      "Base64 Ed25519 signature of the raw SHA-256 digest; verify with firmwareSigningKey."
      signature: String!
      signingKeyId: String!
      createdAt: DateTime!
      createdBy: String
    }

    "Firmware for one device model: a semantic version and its artifacts."
    type Release {
      id: ID!
      "The DDI software module id devices see."
      moduleId: Int!
      model: DeviceModel!
      version: String!
      part: String!
      name: String!
      notes: String!
      artifacts: [Artifact!]!
      "Advisories this release fixes."
      fixes: [Advisory!]!
      createdAt: DateTime!
      createdBy: String
    }

    enum AdvisorySeverity {
      UNKNOWN
      LOW
      MEDIUM
      HIGH
      CRITICAL
    }

    "Versions of one model an advisory affects: >= introduced and < fixed (or <= lastAffected)."
    type AdvisoryRange {
      model: DeviceModel!
      introduced: String
      fixed: String
      lastAffected: String
      fixedRelease: Release
    }

    "A known vulnerability (CVE or OSV id)."
    type Advisory {
      id: ID!
      externalId: String!
      aliases: [String!]!
      summary: String!
      details: String!
      severity: AdvisorySeverity!
      publishedAt: DateTime
      modifiedAt: DateTime
      affected: [AdvisoryRange!]!
      "Devices (not retired) running an affected version."
      exposedDevices: Int!
    }

    "The public key devices verify artifact signatures with."
    type FirmwareSigningKey {
      algorithm: String!
      keyId: String!
      publicKeyPem: String!
    }

    input CreateReleaseInput {
      modelId: ID!
      version: String!
      "Artifacts uploaded through POST /api/v1/artifacts."
      artifactIds: [ID!]!
      notes: String
      "DDI chunk part (default os) and name (default the model name)."
      part: String
      name: String
    }

    input AdvisoryRangeInput {
      modelId: ID!
      introduced: String
      fixed: String
      lastAffected: String
    }

    input AdvisoryInput {
      externalId: String!
      aliases: [String!]
      summary: String
      details: String
      severity: AdvisorySeverity
      affected: [AdvisoryRangeInput!]!
    }

    type OsvImportResult {
      advisory: Advisory!
      "Affected packages that match no device model (vendor/name or name)."
      unmatchedPackages: [String!]!
    }

    "A DDI gateway token: shown once."
    type DdiGatewayTokenIssued {
      id: ID!
      prefix: String!
      token: String!
    }

    extend type Query {
      artifacts(first: Int! = 50, skip: Int! = 0): [Artifact!]!
      artifact(id: ID!): Artifact
      releases(modelId: ID, first: Int! = 50, skip: Int! = 0): [Release!]!
      release(id: ID!): Release
      advisories(modelId: ID, first: Int! = 50, skip: Int! = 0): [Advisory!]!
      advisory(id: ID!): Advisory
      firmwareSigningKey: FirmwareSigningKey!
    }

    extend type Mutation {
      "A release of uploaded artifacts (OPERATOR)."
      createRelease(input: CreateReleaseInput!): Release!
      "Creates or replaces an advisory by its CVE/OSV id (OPERATOR)."
      upsertAdvisory(input: AdvisoryInput!): Advisory!
      "Imports an advisory in OSV JSON format (OPERATOR)."
      importOsvAdvisory(document: JSON!): OsvImportResult!
      "A DDI GatewayToken that registers unknown controllers as devices of the model (ADMIN)."
      createDdiGatewayToken(name: String!, modelId: ID!): DdiGatewayTokenIssued!
    }
  `,
  resolvers: {
    Artifact: { size: (a: Artifact) => Number(a.size) },
    Release: {
      model: (r: Release, _: unknown, ctx: Ctx) => ctx.loaders.model.load(r.modelId),
      artifacts: async (r: Release & { artifacts?: { artifact: Artifact }[] }, _: unknown, ctx: Ctx) =>
        r.artifacts?.map((a) => a.artifact) ??
        (await ctx.deps.db.releaseArtifact.findMany({ where: { releaseId: r.id }, include: { artifact: true }, orderBy: { position: 'asc' } })).map((a) => a.artifact),
      fixes: (r: Release, _: unknown, ctx: Ctx) =>
        ctx.deps.db.advisory.findMany({ where: { affected: { some: { fixedReleaseId: r.id } } }, include: { affected: true } }),
    },
    Advisory: {
      exposedDevices: async (a: { id: string; exposedDevices?: number }, _: unknown, ctx: Ctx) =>
        a.exposedDevices ?? (await getAdvisory(ctx.deps, viewer(ctx), a.id)).exposedDevices,
      affected: (a: { affected?: AdvisoryAffected[]; id: string }, _: unknown, ctx: Ctx) =>
        a.affected ?? ctx.deps.db.advisoryAffected.findMany({ where: { advisoryId: a.id } }),
    },
    AdvisoryRange: {
      model: (r: AdvisoryAffected, _: unknown, ctx: Ctx) => ctx.loaders.model.load(r.modelId),
      fixedRelease: (r: AdvisoryAffected, _: unknown, ctx: Ctx) => (r.fixedReleaseId ? ctx.deps.db.release.findUnique({ where: { id: r.fixedReleaseId } }) : null),
    },
    Query: {
      artifacts: (_: unknown, a: { first: number; skip: number }, ctx: Ctx) => listArtifacts(ctx.deps, viewer(ctx), page(ctx, a.first, a.skip)),
      artifact: (_: unknown, { id }: { id: string }, ctx: Ctx) => orNull(getArtifact(ctx.deps, viewer(ctx), id)),
      releases: (_: unknown, a: { modelId?: string | null; first: number; skip: number }, ctx: Ctx) =>
        listReleases(ctx.deps, viewer(ctx), { ...(a.modelId ? { modelId: a.modelId } : {}), ...page(ctx, a.first, a.skip) }),
      release: (_: unknown, { id }: { id: string }, ctx: Ctx) => orNull(getRelease(ctx.deps, viewer(ctx), id)),
      advisories: (_: unknown, a: { modelId?: string | null; first: number; skip: number }, ctx: Ctx) =>
        listAdvisories(ctx.deps, viewer(ctx), { ...(a.modelId ? { modelId: a.modelId } : {}), ...page(ctx, a.first, a.skip) }),
      advisory: (_: unknown, { id }: { id: string }, ctx: Ctx) => orNull(getAdvisory(ctx.deps, viewer(ctx), id)),
      firmwareSigningKey: (_: unknown, __: unknown, ctx: Ctx) => {
        viewer(ctx);
        const s = ctx.services.firmware.signer;
        return { algorithm: 'Ed25519', keyId: s.keyId, publicKeyPem: s.publicKeyPem };
      },
    },
    Mutation: {
      createRelease: (_: unknown, { input }: { input: CreateReleaseInput }, ctx: Ctx) => createRelease(ctx.deps, viewer(ctx), noNulls(input)),
      upsertAdvisory: (_: unknown, { input }: { input: AdvisoryInput & { affected: AdvisoryInput['affected'] } }, ctx: Ctx) =>
        upsertAdvisory(ctx.deps, viewer(ctx), {
          ...noNulls(input),
          affected: input.affected.map((r) => ({ modelId: r.modelId, introduced: r.introduced ?? null, fixed: r.fixed ?? null, lastAffected: r.lastAffected ?? null })),
        }),
      importOsvAdvisory: (_: unknown, { document }: { document: unknown }, ctx: Ctx) => importOsvAdvisory(ctx.deps, viewer(ctx), document),
      createDdiGatewayToken: (_: unknown, args: { name: string; modelId: string }, ctx: Ctx) => createGatewayToken(ctx.deps, viewer(ctx), args),
    },
  },
};

import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { auditModule } from './audit/audit.graphql.js';
import { commonModule } from './common/common.graphql.js';
import { containmentModule } from './containment/containment.graphql.js';
import { exposureModule } from './exposure/exposure.graphql.js';
import { fleetModule } from './fleet/fleet.graphql.js';
import { incidentsModule } from './incidents/incidents.graphql.js';
import { identityModule } from './identity/identity.graphql.js';
import { firmwareModule } from './firmware/firmware.graphql.js';
import { playbooksModule } from './playbooks/playbooks.graphql.js';
import { rolloutsModule } from './rollouts/rollouts.graphql.js';
import type { Module } from './module.js';
import { telemetryModule } from './telemetry/telemetry.graphql.js';
import { webhooksModule } from './webhooks/webhooks.graphql.js';

/** Every feature's GraphQL module. A new feature adds its module here. */
export const modules: Module[] = [commonModule, identityModule, fleetModule, auditModule, telemetryModule, firmwareModule, rolloutsModule, incidentsModule, exposureModule, playbooksModule, webhooksModule, containmentModule];

export function buildSchema(list: Module[] = modules): GraphQLSchema {
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const m of list) {
    for (const [type, fields] of Object.entries(m.resolvers)) {
      // Scalars are objects of their own, not field maps: keep them whole.
      resolvers[type] = fields?.constructor?.name === 'GraphQLScalarType' ? fields : { ...resolvers[type], ...fields };
    }
  }
  return makeExecutableSchema({ typeDefs: list.map((m) => m.typeDefs), resolvers });
}

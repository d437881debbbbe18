import type { GraphQLContext } from '../context.js';

export type Resolver<TParent = any, TArgs = any, TResult = unknown> = (
  parent: TParent,
  args: TArgs,
  ctx: GraphQLContext,
  info: any,
) => TResult | Promise<TResult>;

/** A feature's slice of the GraphQL schema: SDL plus resolvers. Registered in `schema.ts`. */
export interface Module {
  typeDefs: string;
  resolvers: Record<string, any>;
}

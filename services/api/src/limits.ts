import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

export interface LimitOptions {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
}

/** Depth and alias limits: cheap, static checks during validation. */
export function limitRules(o: LimitOptions): ValidationRule[] {
  // Report through the validation context (a 400 with a code) instead of throwing (a 500).
  const report = {
    propagateOnRejection: false,
    onReject: [
      (ctx: { reportError(e: GraphQLError): void } | null, err: GraphQLError) =>
        ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX' } })),
    ],
  };
  return [
    maxDepthRule({ n: o.maxDepth, ignoreIntrospection: true, exposeLimits: true, ...report }) as unknown as ValidationRule,
    maxAliasesRule({ n: o.maxAliases, exposeLimits: true, ...report }) as unknown as ValidationRule,
  ];
}

/**
 * Cost of a field: 1 plus its children's cost, times the page size for paginated fields (`first`),
 * so `devices(first: 500) { nodes { segment { site { segments { ... } } } } }` is priced as the
 * work it asks for.
 */
const pageAwareEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? Math.max(1, args.first) : 1;
  return 1 + childComplexity * first;
};

/** Refuses operations whose estimated cost exceeds the limit, before any resolver runs. */
export function costLimitPlugin(schema: () => GraphQLSchema, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema: schema(),
              query: document,
              variables: request.variables ?? {},
              ...(request.operationName ? { operationName: request.operationName } : {}),
              estimators: [pageAwareEstimator],
            });
          } catch {
            // Variables that do not coerce: execution reports them as BAD_USER_INPUT (400).
            return;
          }
          if (cost > maxCost) {
            throw new GraphQLError(`query is too expensive: cost ${cost} exceeds the limit of ${maxCost}; ask for smaller pages or fewer fields`, {
              extensions: { code: 'QUERY_TOO_EXPENSIVE', cost, maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

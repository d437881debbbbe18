import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  BREAK,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
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
 * Work a field does beyond reading a row, in rows: a graph walk over the contact graph, the fleet
 * scan behind readiness, a time-series aggregate. Without these, `incidents { nodes { blastRadius } }`
 * would cost a fraction of the walks it runs.
 */
const FIELD_WORK: Readonly<Record<string, number>> = {
  'Query.blastRadius': 1000,
  'Incident.blastRadius': 1000,
  'Query.readiness': 1000,
  'Query.telemetrySeries': 20,
  'Device.telemetrySeries': 20,
};

/** Lists without a `first` argument: the number of items they are priced at. */
const LIST_SIZE: Readonly<Record<string, number>> = {
  'Incident.devices': 50,
  'Incident.timeline': 100,
};

/**
 * Cost of a field: its work (1, or {@link FIELD_WORK}) plus its children's cost, times the page
 * size for paginated fields (`first`, or {@link LIST_SIZE}), so
 * `devices(first: 500) { nodes { segment { site { segments { ... } } } } }` is priced as the work it
 * asks for. Reads no argument but `first` (see `costReadsVariables`).
 */
const pageAwareEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const key = `${type.name}.${field.name}`;
  const first = typeof args.first === 'number' ? Math.max(1, args.first) : (LIST_SIZE[key] ?? 1);
  return (FIELD_WORK[key] ?? 1) + childComplexity * first;
};

/**
 * Whether the cost of `document` can change with its variables: a variable inside a `first`
 * argument (the only one the estimator reads) or inside a directive (`@include(if: $x)` decides
 * which fields count). Any other variable leaves the cost as it is.
 */
function costReadsVariables(document: DocumentNode): boolean {
  const hasVariable = (node: ASTNode) => {
    let found = false;
    visit(node, {
      Variable() {
        found = true;
        return BREAK;
      },
    });
    return found;
  };
  let reads = false;
  visit(document, {
    Directive(node) {
      reads ||= hasVariable(node);
      return reads ? BREAK : false;
    },
    Argument(node) {
      reads ||= node.name.value === 'first' && hasVariable(node);
      return reads ? BREAK : false;
    },
  });
  return reads;
}

/**
 * Refuses operations whose estimated cost exceeds the limit, before any resolver runs.
 *
 * Apollo hands every request for the same query text the same parsed `DocumentNode`, so a cost
 * that does not depend on the variables is computed once per document and operation. Only costs
 * within the limit are remembered: an operation over it is priced (and refused) afresh each time.
 */
export function costLimitPlugin(schema: () => GraphQLSchema, maxCost: number): ApolloServerPlugin {
  const allowed = new WeakMap<DocumentNode, Map<string, number> | null>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let known = allowed.get(document);
          if (known === undefined) allowed.set(document, (known = costReadsVariables(document) ? null : new Map()));
          const operation = request.operationName ?? '';
          if (known?.has(operation)) return;
          let cost: number;
          try {
            cost = getComplexity({
              schema: schema(),
              query: document,
              variables: request.variables ?? {},
              ...(request.operationName ? { operationName: request.operationName } : {}),
              estimators: [pageAwareEstimator],
            });
          } catch (err) {
            // Variables that do not coerce: execution reports them as BAD_USER_INPUT (400).
            const op = getOperationAST(document, request.operationName);
            if (op && getVariableValues(schema(), op.variableDefinitions ?? [], request.variables ?? {}).errors) return;
            // Anything else (a document too large to price, for one) is refused, never let through unpriced.
            throw new GraphQLError(`query is too large to price (${(err as Error).message}); ask for fewer fields`, {
              extensions: { code: 'QUERY_TOO_EXPENSIVE', maxCost, http: { status: 400 } },
            });
          }
          if (cost > maxCost) {
            throw new GraphQLError(`query is too expensive: cost ${cost} exceeds the limit of ${maxCost}; ask for smaller pages or fewer fields`, {
              extensions: { code: 'QUERY_TOO_EXPENSIVE', cost, maxCost, http: { status: 400 } },
            });
          }
          known?.set(operation, cost);
        },
      };
    },
  };
}

/**
 * graphql as Node loads it (its CommonJS build), the copy graphql-ws and the schema builder use;
 * a test runner may hand this module's own imports the ES build, a second copy whose checks
 * (`instanceof GraphQLSchema`) refuse the first's objects.
 */
const nodeGraphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/**
 * Validation for the WebSocket endpoint (graphql-ws's `validate`): subscriptions only, under the
 * same rules as HTTP (depth, aliases, introspection when it is off). A query or mutation sent over
 * the socket would otherwise skip the HTTP endpoint's cost limit and rate limit.
 */
export function subscriptionRules(o: LimitOptions & { introspection: boolean }) {
  const g = nodeGraphql;
  const rules = [...g.specifiedRules, ...limitRules(o), ...(o.introspection ? [] : [g.NoSchemaIntrospectionCustomRule])];
  return (schema: GraphQLSchema, document: DocumentNode): GraphQLError[] => {
    const other = document.definitions.find((d) => d.kind === g.Kind.OPERATION_DEFINITION && d.operation !== 'subscription');
    if (other) return [new g.GraphQLError('only subscriptions are served over WebSocket; send queries and mutations to POST /graphql', { extensions: { code: 'BAD_REQUEST' } })];
    return [...g.validate(schema, document, rules)];
  };
}

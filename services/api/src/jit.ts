import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type SourceLocation } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit: each distinct operation is compiled once into a plain
 * function, so a page of 100 devices costs a tenth of graphql-js's per-field interpretation.
 *
 * Apollo Server 5 accepts a custom executor only through its gateway interface; this is a
 * single-schema "gateway" in that sense and nothing else. Parsing, validation, the depth/alias/cost
 * limits, plugins and error formatting stay Apollo's. Apollo reuses one parsed `DocumentNode` per
 * distinct query text (its document cache), so the compiled form is cached by that node.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string | null, CompiledQuery>>();

  const compile = (document: DocumentNode, operationName: string | null) => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    let query = byName.get(operationName);
    if (!query) {
      const result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      // Not compilable (an error in the document itself): report it as execution would.
      if (!isCompiledQuery(result)) return result;
      byName.set(operationName, (query = result));
    }
    return query;
  };

  const executor: GatewayExecutor = async (rc) => {
    const query = compile(rc.document, rc.operationName);
    if (!('query' in query)) return query;
    const result = (await query.query(undefined, rc.context, rc.request.variables ?? {})) as ExecutionResult;
    if (!result.errors) return result;
    // No `data` at all: the variables did not coerce, so nothing ran. That is the caller's mistake
    // (graphql-js + Apollo report it the same way: BAD_USER_INPUT, HTTP 400).
    if (!('data' in result)) {
      return { errors: result.errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } })) };
    }
    return { ...result, errors: result.errors.map(asGraphQLError) };
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      // The SDL is only read by Apollo's schema reporting to GraphOS, which Warden does not use.
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

interface JitError {
  message: string;
  locations?: readonly SourceLocation[];
  path?: readonly (string | number)[];
  originalError?: Error | null;
  extensions?: Record<string, unknown>;
}

/**
 * graphql-jit reports errors with its own look-alike class; Apollo (error formatting, the resolver
 * error unwrapping in `formatError`) expects graphql-js's. Same message, path, locations and cause.
 */
function asGraphQLError(e: JitError): GraphQLError {
  if (e instanceof GraphQLError) return e;
  const error = new GraphQLError(e.message, {
    ...(e.path ? { path: e.path } : {}),
    ...(e.originalError ? { originalError: e.originalError } : {}),
    ...(e.extensions ? { extensions: e.extensions } : {}),
  });
  if (e.locations?.length) Object.defineProperty(error, 'locations', { value: e.locations, enumerable: true });
  return error;
}

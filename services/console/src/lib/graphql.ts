import { authHeaders, readToken } from './token.js';

/** One GraphQL error as the api reports it (`extensions.code` names the kind). */
export interface GraphQLErrorPayload {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** A request the api answered with errors (or could not be reached). */
export class GraphQLRequestError extends Error {
  readonly code: string;
  readonly errors: GraphQLErrorPayload[];

  constructor(errors: GraphQLErrorPayload[], status?: number) {
    super(errors.map((e) => e.message).join('; ') || `request failed (${status ?? 'network'})`);
    this.name = 'GraphQLRequestError';
    this.errors = errors;
    this.code = errors[0]?.extensions?.code ?? (status ? `HTTP_${status}` : 'NETWORK');
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever the api says the token is missing or no longer valid (expired, revoked). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/**
 * Runs one operation against `/graphql` with the stored bearer token and returns `data`, or throws
 * a {@link GraphQLRequestError}. Partial data with errors counts as a failure: the console never
 * shows half an answer as if it were whole.
 */
export async function gql<T, V extends object = Record<string, unknown>>(
  query: string,
  variables?: V,
  options: { signal?: AbortSignal; token?: string | null } = {},
): Promise<T> {
  const token = options.token === undefined ? readToken() : options.token;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(token) },
      body: JSON.stringify({ query, variables }),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new GraphQLRequestError([{ message: 'the Warden api cannot be reached' }]);
  }
  let body: { data?: T; errors?: GraphQLErrorPayload[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError([], response.status);
  }
  if (body?.errors?.length) {
    const error = new GraphQLRequestError(body.errors, response.status);
    if (error.code === 'UNAUTHENTICATED') unauthenticatedListeners.forEach((l) => l());
    throw error;
  }
  if (!response.ok || body?.data === undefined) throw new GraphQLRequestError([], response.status);
  return body.data;
}

/** A readable message for an error thrown by {@link gql} (or anything else). */
export function errorMessage(error: unknown): string {
  if (error instanceof GraphQLRequestError) {
    switch (error.code) {
      case 'FORBIDDEN':
        return `Not allowed: ${error.message}`;
      case 'NOT_FOUND':
        return `Not found: ${error.message}`;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

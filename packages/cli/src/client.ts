import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiError, CliError } from './errors.js';

export interface ClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:4000. */
  url: string;
  apiKey: string;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** The subset of graphql-ws's sink a subscription needs. */
export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(err: Error): void;
  complete(): void;
}

/**
 * The public GraphQL API, as any automation sees it: HTTP POST for queries and mutations,
 * graphql-ws for subscriptions, the API key as a bearer token. Every failure becomes a
 * {@link CliError} that names the problem (unreachable, not Warden, or the API's error code).
 */
export class WardenClient {
  private ws: Client | undefined;
  readonly endpoint: string;

  constructor(private readonly opts: ClientOptions) {
    this.endpoint = `${opts.url.replace(/\/+$/, '')}/graphql`;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.opts.apiKey}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach Warden at ${this.opts.url} (${cause?.code ?? cause?.message ?? (err as Error).message}); is the API running? Set WARDEN_URL or pass --url.`);
    }
    const text = await res.text();
    let body: GraphQLResponse<T>;
    try {
      body = JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      throw new CliError(`${this.endpoint} answered HTTP ${res.status} with something that is not GraphQL; is ${this.opts.url} the Warden API?`);
    }
    const first = body.errors?.[0];
    if (first) throw new ApiError(first.extensions?.code ?? `HTTP_${res.status}`, first.message, first.extensions?.field);
    if (!body.data) throw new CliError(`${this.endpoint} answered HTTP ${res.status} without data`);
    return body.data;
  }

  /** Subscribes over graphql-ws on the same endpoint; returns a function that unsubscribes. */
  subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
    this.ws ??= createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.opts.apiKey}` },
      retryAttempts: 3,
      lazy: true,
    });
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          const first = r.errors?.[0];
          if (first) handlers.error(new ApiError(String(first.extensions?.code ?? 'UNKNOWN'), first.message));
          else if (r.data) handlers.next(r.data as T);
        },
        error: (err) => handlers.error(toError(err, this.opts.url)),
        complete: handlers.complete,
      },
    );
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}

/** graphql-ws reports a list of GraphQL errors, a CloseEvent or an Error. */
function toError(err: unknown, url: string): Error {
  if (Array.isArray(err)) {
    const first = err[0] as { message?: string; extensions?: { code?: string } } | undefined;
    return new ApiError(first?.extensions?.code ?? 'UNKNOWN', first?.message ?? 'subscription failed');
  }
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    return code ? new CliError(`cannot reach Warden at ${url} for live updates (${code})`) : err;
  }
  const close = err as { code?: number; reason?: string };
  if (typeof close?.code === 'number') {
    if (close.code === 4403 || close.code === 4401) return new ApiError('UNAUTHENTICATED', close.reason || 'the API key was not accepted');
    return new CliError(`live updates closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`);
  }
  return new CliError(String(err));
}

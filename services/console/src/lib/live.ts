import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import type { GraphQLErrorPayload } from './graphql.js';
import { authHeaders, graphqlWsUrl, readToken } from './token.js';

/** Whether live updates are flowing: `connecting` until the socket is up, `down` while it retries. */
export type LiveStatus = 'connecting' | 'live' | 'down';

interface Shared {
  token: string | null;
  client: Client;
  status: LiveStatus;
  /** Called on every status change, with whether it is a reconnection after a drop. */
  listeners: Set<(status: LiveStatus, resumed: boolean) => void>;
}
let shared: Shared | null = null;

/**
 * One graphql-ws connection per signed-in token, shared by every subscription on the page. It
 * reconnects on its own (with backoff) after the api restarts or the network drops.
 */
function liveConnection(): Shared {
  const token = readToken();
  if (shared && shared.token === token) return shared;
  void shared?.client.dispose();
  const client = createClient({
    url: graphqlWsUrl(),
    lazy: true,
    lazyCloseTimeout: 5_000,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: () => authHeaders(token),
  });
  const state: Shared = { token, client, status: 'connecting', listeners: new Set() };
  let dropped = false;
  const set = (status: LiveStatus) => {
    const resumed = status === 'live' && dropped;
    if (status === 'down') dropped = true;
    if (status === 'live') dropped = false;
    state.status = status;
    for (const l of state.listeners) l(status, resumed);
  };
  client.on('connected', () => set('live'));
  client.on('closed', () => {
    // A lazy client closes on purpose when nothing is subscribed; that is not an outage.
    if (state.listeners.size > 0) set('down');
    else state.status = 'connecting';
  });
  shared = state;
  return state;
}

/** Closes the live connection (on sign-out, so the next user gets their own). */
export function closeLive(): void {
  void shared?.client.dispose();
  shared = null;
}

/**
 * Subscribes to `query` while the component is mounted and calls `onData` with each event's data.
 * `onResume` runs whenever the connection comes back after a drop, so the caller can re-query what
 * it may have missed (live delivery is best effort; the api's queries are the record).
 */
export function useSubscription<T>(
  query: string,
  options: { variables?: Record<string, unknown>; enabled?: boolean; onData: (data: T) => void; onResume?: () => void },
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef(options);
  handlers.current = options;
  const enabled = options.enabled ?? true;
  const variablesKey = JSON.stringify(options.variables ?? {});

  useEffect(() => {
    if (!enabled) return;
    const live = liveConnection();
    const listener = (next: LiveStatus, resumed: boolean) => {
      setStatus(next);
      if (resumed) handlers.current.onResume?.();
    };
    live.listeners.add(listener);
    setStatus(live.status);
    const stop = live.client.subscribe<T>(
      { query, variables: JSON.parse(variablesKey) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.data) handlers.current.onData(result.data as T);
        },
        error: (error) => {
          setStatus('down');
          // A refused subscription (FORBIDDEN, a bad query) is a programming error worth a log line.
          if (Array.isArray(error)) console.warn('subscription refused', (error as GraphQLErrorPayload[]).map((e) => e.message).join('; '));
        },
        complete: () => undefined,
      },
    );
    return () => {
      live.listeners.delete(listener);
      stop();
    };
  }, [query, variablesKey, enabled]);

  return status;
}

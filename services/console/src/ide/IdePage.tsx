import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { authHeaders, graphqlWsUrl, readToken, writeToken } from '../lib/token.js';

const DEFAULT_QUERY = `# Welcome to the Warden GraphQL IDE.
# Paste an API key or a session token above, then run a query (Ctrl-Enter).

query Me {
  me {
    type
    name
    role
  }
}
`;

/** Example operations, opened as tabs the first time (GraphiQL remembers tabs after that). */
const EXAMPLE_TABS = [
  { query: DEFAULT_QUERY },
  {
    query: `# Devices on one segment running firmware below a version.
query OldFirmware($segment: ID!, $below: String!) {
  devices(first: 50, filter: { segmentIds: [$segment], firmwareBelow: $below }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { serial name firmwareVersion model { vendor name otaCapable } }
  }
}
`,
    variables: '{ "segment": "<segment id from the Segments query>", "below": "2.0.0" }',
  },
  {
    query: `# The fleet at a glance, and the segments to filter by.
query Fleet {
  fleetSummary {
    total
    byStatus { status count }
    byKind { kind count }
    bySegment { segment { id name site { code } } count }
  }
}
`,
  },
];

/**
 * GraphiQL against this origin's `/graphql`, authenticated with the token from the bar above it.
 * Queries and mutations go over HTTP; subscriptions over graphql-ws on the same path, with the token
 * in the connection parameters.
 */
export function IdePage() {
  // `/ide?query=…&variables=…` opens with that operation, so a query can be shared as a link.
  const [linked] = useState(() => {
    const params = new URLSearchParams(location.search);
    return { query: params.get('query') ?? undefined, variables: params.get('variables') ?? undefined };
  });
  const [token, setToken] = useState<string | null>(() => readToken());
  const [draft, setDraft] = useState('');

  const wsClient = useMemo(
    () =>
      createClient({
        url: graphqlWsUrl(),
        lazy: true,
        connectionParams: () => authHeaders(token),
      }),
    [token],
  );
  useEffect(() => () => void wsClient.dispose(), [wsClient]);

  const fetcher = useMemo(
    () => createGraphiQLFetcher({ url: '/graphql', headers: authHeaders(token), wsClient }),
    [token, wsClient],
  );

  function save(e: FormEvent) {
    e.preventDefault();
    const value = draft.trim().replace(/^Bearer\s+/i, '');
    if (!value) return;
    writeToken(value);
    setToken(value);
    setDraft('');
  }

  function forget() {
    writeToken(null);
    setToken(null);
  }

  return (
    <div className="ide">
      <header className="ide-bar">
        <a className="ide-brand" href="/">
          Warden
        </a>
        <span className="ide-title">GraphQL IDE</span>
        <form className="ide-token" onSubmit={save}>
          <label htmlFor="ide-token-input">Bearer token</label>
          <input
            id="ide-token-input"
            type="password"
            autoComplete="off"
            placeholder={token ? 'A token is set; paste another to replace it' : 'Paste an API key or session token'}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" disabled={!draft.trim()}>
            Use token
          </button>
          <button type="button" onClick={forget} disabled={!token}>
            Forget
          </button>
          <span className="ide-status" role="status" aria-live="polite">
            {token ? `Authenticated (…${token.slice(-4)})` : 'Not authenticated'}
          </span>
        </form>
      </header>
      <main className="ide-main">
        <GraphiQL
          key={token ?? 'anonymous'}
          fetcher={fetcher}
          defaultQuery={DEFAULT_QUERY}
          defaultTabs={EXAMPLE_TABS}
          {...(linked.query ? { initialQuery: linked.query } : {})}
          {...(linked.variables ? { initialVariables: linked.variables } : {})}
        />
      </main>
    </div>
  );
}

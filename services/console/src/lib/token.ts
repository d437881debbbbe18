/**
 * The bearer token (a session token from sign-in, or an API key) lives in sessionStorage: it is
 * shared by the console and the IDE on the same origin, and gone when the browser tab closes.
 */
const KEY = 'warden.token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

/** Headers for a GraphQL request made with the stored token. */
export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The graphql-ws URL on this origin (`/graphql`, upgraded to a WebSocket). */
export function graphqlWsUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/graphql`;
}

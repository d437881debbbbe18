import { createClient } from 'graphql-ws';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApi } from './harness.js';

/**
 * Subscription sockets carry live incident data for as long as they stay open: their credentials
 * are checked again, not only when they connect.
 */
const api = await startApi({ GRAPHQL_SOCKET_RECHECK_SECONDS: '0.5' });
const admin = await api.signIn('ADMIN');

async function createKey(role: string) {
  const r = await api.gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
    { i: { name: `key-${role}`, role } },
    admin,
  );
  return r.data!.createApiKey;
}

it('closes an open subscription once its credential stops working, and leaves the others open', async () => {
  /** A subscription socket; `closed` resolves with the close code. */
  const open = (token: string) => {
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    const closed = new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe({ query: 'subscription { alertRaised { id } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    return { client, closed, connected };
  };
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);
  const [signedOut, disabled, revoked, kept] = [await api.signIn('VIEWER'), await api.signIn('VIEWER', 'disabled-live@example.test'), await createKey('VIEWER'), await api.signIn('VIEWER')];
  const sockets = [open(signedOut), open(disabled), open(revoked.secret), open(kept)];
  try {
    await Promise.all(sockets.map((s) => s.connected));
    // Signing out through this API closes its socket at once.
    expect((await api.gql('mutation { logout }', {}, signedOut)).data).toEqual({ logout: true });
    expect(await within(sockets[0]!.closed, 1_000)).toBe(4403);
    // Changes this API did not make (another instance, the database) are found by the periodic re-check.
    await api.db.user.update({ where: { email: 'disabled-live@example.test' }, data: { disabledAt: new Date() } });
    await api.db.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
    // Within the API's credential cache (2 s) plus one re-check.
    expect(await within(sockets[1]!.closed, 5_000)).toBe(4403);
    expect(await within(sockets[2]!.closed, 5_000)).toBe(4403);
    expect(await within(sockets[3]!.closed, 1_000)).toBe('open');
  } finally {
    await Promise.all(sockets.map((s) => s.client.dispose()));
  }
});

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, type ApiKeyRow } from '../api/access.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { ROLES, type Role } from '../lib/roles.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatAgo, formatDateTime } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';

/** Keys for automation (rollout scripts, SOAR playbooks): created here, shown once, revocable. */
export function ApiKeysPanel() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['apiKeys'], queryFn: ({ signal }) => gql<{ apiKeys: ApiKeyRow[] }>(API_KEYS, {}, { signal }) });
  const [form, setForm] = useState({ name: '', role: 'OPERATOR' as Role, expires: '' });
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['apiKeys'] });

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const input = { name: form.name.trim(), role: form.role, ...(form.expires ? { expiresAt: new Date(form.expires).toISOString() } : {}) };
      const r = await gql<{ createApiKey: { secret: string } }>(CREATE_API_KEY, { input });
      setSecret(r.createApiKey.secret);
      setForm({ name: '', role: 'OPERATOR', expires: '' });
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <Panel title="API keys">
      {secret && (
        <div role="status">
          <p>
            <strong>New API key — copy it now; it cannot be shown again:</strong>
          </p>
          <p className="secret" data-testid="api-key-secret">
            {secret}
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      {query.isPending ? (
        <Loading />
      ) : query.error ? (
        <ErrorNote error={query.error} />
      ) : (
        <table className="data" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" style={{ width: '9rem' }}>
                Prefix
              </th>
              <th scope="col" style={{ width: '8rem' }}>
                Role
              </th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col" style={{ width: '10rem' }}>
                State
              </th>
            </tr>
          </thead>
          <tbody>
            {query.data.apiKeys.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No API keys yet.
                </td>
              </tr>
            )}
            {query.data.apiKeys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.role}</td>
                <td>{k.expiresAt ? formatDateTime(k.expiresAt) : 'never'}</td>
                <td title={k.lastUsedIp ?? undefined}>{formatAgo(k.lastUsedAt)}</td>
                <td>
                  {k.active ? (
                    <ConfirmButton label="Revoke" accessibleLabel={`Revoke ${k.name}`} title={`Revoke the key ${k.name}?`} danger action={async () => {
                      await gql(REVOKE_API_KEY, { id: k.id });
                      await refresh();
                    }}>
                      <p>Scripts using this key are refused from now on. This cannot be undone.</p>
                    </ConfirmButton>
                  ) : k.revokedAt ? (
                    `revoked ${formatAgo(k.revokedAt)}`
                  ) : (
                    'expired'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="filters" style={{ marginTop: '1rem' }} onSubmit={create} aria-label="Create an API key">
        <div className="field">
          <label htmlFor="nk-name">Key name</label>
          <input id="nk-name" required placeholder="soar-playbooks" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="nk-role">Key role</label>
          <select id="nk-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nk-expires">Expires (optional)</label>
          <input id="nk-expires" type="datetime-local" value={form.expires} onChange={(e) => setForm({ ...form, expires: e.target.value })} />
        </div>
        <button type="submit" className="primary">
          Create key
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Panel>
  );
}

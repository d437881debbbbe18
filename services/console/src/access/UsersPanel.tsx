import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CREATE_USER, UPDATE_USER, USERS, type UserRow } from '../api/access.js';
import { useAuth } from '../auth/AuthContext.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { ROLES, type Role } from '../lib/roles.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatAgo } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';

/** People who sign in to the console, their roles, and whether they still may. */
export function UsersPanel() {
  const { user: me } = useAuth();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['users'], queryFn: ({ signal }) => gql<{ users: UserRow[] }>(USERS, {}, { signal }) });
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });

  async function update(id: string, input: { role?: Role; disabled?: boolean }) {
    setError(null);
    try {
      await gql(UPDATE_USER, { id, input });
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <Panel title="Users">
      {query.isPending ? (
        <Loading />
      ) : query.error ? (
        <ErrorNote error={query.error} />
      ) : (
        <table className="data" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col" style={{ width: '10rem' }}>
                Role
              </th>
              <th scope="col" style={{ width: '9rem' }}>
                Last sign-in
              </th>
              <th scope="col" style={{ width: '9rem' }}>
                Access
              </th>
            </tr>
          </thead>
          <tbody>
            {query.data.users.map((u) => {
              const self = u.id === me?.user?.id;
              return (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      disabled={self}
                      title={self ? 'You cannot change your own role' : undefined}
                      onChange={(e) => void update(u.id, { role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>{formatAgo(u.lastLoginAt)}</td>
                  <td>
                    {self ? (
                      <span className="muted small">you</span>
                    ) : u.disabled ? (
                      <button type="button" aria-label={`Enable ${u.email}`} onClick={() => void update(u.id, { disabled: false })}>
                        Enable
                      </button>
                    ) : (
                      <ConfirmButton label="Disable" accessibleLabel={`Disable ${u.email}`} title={`Disable ${u.email}?`} danger action={() => update(u.id, { disabled: true })}>
                        <p>They are signed out everywhere and cannot sign in until enabled again.</p>
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <NewUserForm onCreated={refresh} />
    </Panel>
  );
}

function NewUserForm({ onCreated }: { onCreated: () => Promise<unknown> }) {
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'VIEWER' as Role });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      await gql(CREATE_USER, { input: form });
      setDone(`${form.email} can now sign in as ${form.role.toLowerCase()}.`);
      setForm({ email: '', name: '', password: '', role: 'VIEWER' });
      await onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const text = (key: 'email' | 'name' | 'password') => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });
  return (
    <form className="filters" style={{ marginTop: '1rem' }} onSubmit={submit} aria-label="Add a user">
      <div className="field">
        <label htmlFor="nu-email">Email</label>
        <input id="nu-email" type="email" required {...text('email')} />
      </div>
      <div className="field">
        <label htmlFor="nu-name">Name</label>
        <input id="nu-name" required {...text('name')} />
      </div>
      <div className="field">
        <label htmlFor="nu-password">Initial password</label>
        <input id="nu-password" type="password" autoComplete="new-password" minLength={12} required {...text('password')} />
      </div>
      <div className="field">
        <label htmlFor="nu-role">Role</label>
        <select id="nu-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary">
        Add user
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

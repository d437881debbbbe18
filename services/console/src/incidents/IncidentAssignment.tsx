import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ASSIGN_INCIDENT, ASSIGNABLE_USERS, type AssignableUsersResult } from '../api/incidents.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { roleAtLeast, type Role } from '../lib/roles.js';
import { ErrorNote } from '../ui/Panel.js';

/**
 * Who handles the incident. Responders take it or hand it back; admins (who may list users)
 * assign it to any responder.
 */
export function IncidentAssignment({ incidentId, assignee, onDone }: { incidentId: string; assignee: { id: string; name: string } | null; onDone: () => Promise<void> }) {
  const { user, can } = useAuth();
  const myId = user?.user?.id ?? null;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const users = useQuery({ queryKey: ['users'], queryFn: ({ signal }) => gql<AssignableUsersResult>(ASSIGNABLE_USERS, {}, { signal }), enabled: can('ADMIN') });

  async function assign(assigneeId: string | null) {
    setBusy(true);
    setError(null);
    try {
      await gql(ASSIGN_INCIDENT, { id: incidentId, assigneeId });
      await onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const responders = (users.data?.users ?? []).filter((u) => !u.disabled && roleAtLeast(u.role as Role, 'RESPONDER'));
  return (
    <div className="assignment">
      <span data-testid="assignee">{assignee ? assignee.name : <span className="muted">Nobody</span>}</span>
      {can('RESPONDER') && (
        <span className="inline-actions">
          {myId && assignee?.id !== myId && (
            <button type="button" disabled={busy} onClick={() => void assign(myId)}>
              Assign to me
            </button>
          )}
          {assignee && (
            <button type="button" disabled={busy} onClick={() => void assign(null)}>
              Unassign
            </button>
          )}
          {responders.length > 0 && (
            <>
              <label htmlFor="assign-to" className="visually-hidden">
                Assign to
              </label>
              <select id="assign-to" value="" disabled={busy} onChange={(e) => e.target.value && void assign(e.target.value)}>
                <option value="">Assign to…</option>
                {responders
                  .filter((u) => u.id !== assignee?.id)
                  .map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
              </select>
            </>
          )}
        </span>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

import type { ReactNode } from 'react';
import { useAuth } from '../auth/AuthContext.js';
import { roleReason, type Role } from '../lib/roles.js';

/**
 * Renders its children only for users holding `role`. Controls a role cannot use are absent rather
 * than failing on click; pass `explain` to leave a short note in their place saying why.
 */
export function Requires({ role, children, explain = false }: { role: Role; children: ReactNode; explain?: boolean }) {
  const { user, can } = useAuth();
  if (can(role)) return <>{children}</>;
  return explain ? <p className="muted small role-note">{roleReason(user?.role, role)} to change this.</p> : null;
}

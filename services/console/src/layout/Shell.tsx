import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useAuth } from '../auth/AuthContext.js';
import type { Role } from '../lib/roles.js';

interface NavItem {
  to: string;
  label: string;
  role: Role;
}

const NAV: NavItem[] = [
  { to: '/', label: 'Fleet', role: 'VIEWER' },
  { to: '/incidents', label: 'Incidents', role: 'VIEWER' },
  { to: '/readiness', label: 'Readiness', role: 'VIEWER' },
  { to: '/rollouts', label: 'Rollouts', role: 'VIEWER' },
  { to: '/places', label: 'Sites and models', role: 'VIEWER' },
  { to: '/audit', label: 'Audit log', role: 'ADMIN' },
  { to: '/access', label: 'Access', role: 'ADMIN' },
];

export function Shell({ children }: { children: ReactNode }) {
  const { user, can, signOut } = useAuth();
  const [location] = useLocation();
  const active = (to: string) => (to === '/' ? location === '/' || location.startsWith('/devices') : location.startsWith(to));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Warden</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => can(n.role)).map((n) => (
              <li key={n.to}>
                <Link href={n.to} aria-current={active(n.to) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
            <li>
              <a href="/ide">GraphQL IDE</a>
            </li>
          </ul>
        </nav>
        <div className="whoami">
          <span>
            {user?.user?.name ?? user?.name} <span className={`role-badge role-${user?.role.toLowerCase()}`}>{user?.role}</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LOGIN, LOGOUT, ME, type LoginResult, type Me, type MeResult } from '../api/auth.js';
import { GraphQLRequestError, gql, onUnauthenticated } from '../lib/graphql.js';
import { closeLive } from '../lib/live.js';
import { roleAtLeast, type Role } from '../lib/roles.js';
import { readToken, writeToken } from '../lib/token.js';

interface AuthState {
  /** The signed-in user, or null. */
  user: Me | null;
  /** True while the stored token is being checked at start-up. */
  checking: boolean;
  /** Why the last session ended, shown on the sign-in page. */
  notice: string | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  can(required: Role): boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => readToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const end = useCallback(
    (why: string | null) => {
      writeToken(null);
      closeLive();
      setUser(null);
      setNotice(why);
      queryClient.clear();
    },
    [queryClient],
  );

  useEffect(() => {
    if (!readToken()) return;
    let live = true;
    gql<MeResult>(ME)
      .then((r) => live && setUser(r.me))
      .catch((e: unknown) => live && end(e instanceof GraphQLRequestError && e.code === 'UNAUTHENTICATED' ? 'Your session has ended. Sign in again.' : null))
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, [end]);

  useEffect(() => onUnauthenticated(() => end('Your session has ended. Sign in again.')), [end]);

  const signIn = useCallback(async (email: string, password: string) => {
    const r = await gql<LoginResult>(LOGIN, { email, password }, { token: null });
    const u = r.login.user;
    writeToken(r.login.token);
    setNotice(null);
    setUser({ type: 'USER', id: u.id, name: u.name, role: u.role, user: { id: u.id, email: u.email, name: u.name } });
  }, []);

  const signOut = useCallback(async () => {
    await gql(LOGOUT).catch(() => undefined);
    end(null);
  }, [end]);

  const value = useMemo<AuthState>(
    () => ({ user, checking, notice, signIn, signOut, can: (required) => roleAtLeast(user?.role, required) }),
    [user, checking, notice, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

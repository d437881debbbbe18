import type { Role } from '../lib/roles.js';

/** The caller: a signed-in user or an API key pasted as a token. */
export interface Me {
  type: 'USER' | 'API_KEY' | 'DEVICE' | 'SYSTEM';
  id: string | null;
  name: string;
  role: Role;
  user: { id: string; email: string; name: string } | null;
}

export const ME = /* GraphQL */ `
  query ConsoleMe {
    me {
      type
      id
      name
      role
      user {
        id
        email
        name
      }
    }
  }
`;
export type MeResult = { me: Me };

export const LOGIN = /* GraphQL */ `
  mutation ConsoleLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        email
        name
        role
      }
    }
  }
`;
export interface LoginResult {
  login: { token: string; expiresAt: string; user: { id: string; email: string; name: string; role: Role } };
}

export const LOGOUT = /* GraphQL */ `
  mutation ConsoleLogout {
    logout
  }
`;

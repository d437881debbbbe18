import type { Role } from '../lib/roles.js';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export const USERS = /* GraphQL */ `
  query ConsoleUsers {
    users {
      id
      email
      name
      role
      disabled
      lastLoginAt
      createdAt
    }
  }
`;

export const CREATE_USER = /* GraphQL */ `
  mutation ConsoleCreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
    }
  }
`;

export const UPDATE_USER = /* GraphQL */ `
  mutation ConsoleUpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
    }
  }
`;

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  active: boolean;
}

export const API_KEYS = /* GraphQL */ `
  query ConsoleApiKeys {
    apiKeys {
      id
      name
      prefix
      role
      createdAt
      expiresAt
      revokedAt
      lastUsedAt
      lastUsedIp
      active
    }
  }
`;

export const CREATE_API_KEY = /* GraphQL */ `
  mutation ConsoleCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
      }
    }
  }
`;

export const REVOKE_API_KEY = /* GraphQL */ `
  mutation ConsoleRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
    }
  }
`;

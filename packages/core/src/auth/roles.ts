import { ForbiddenError, UnauthenticatedError } from '../errors.js';

/** Roles in increasing power: each can do everything the ones before it can. */
export const ROLES = ['VIEWER', 'OPERATOR', 'RESPONDER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** Who is acting: a signed-in user, an API key, a device, or Warden itself. */
export interface Actor {
  type: 'USER' | 'API_KEY' | 'DEVICE' | 'SYSTEM';
  id: string | null;
  name: string;
  role: Role;
  ip?: string | null;
  requestId?: string | null;
  /** When the credential behind this actor stops being valid (sessions and expiring keys). */
  expiresAt?: Date | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'SYSTEM', id: null, name: 'warden', role: 'ADMIN' };

/** Throws unless `actor` holds at least `required`. */
export function requireRole(actor: Actor | null | undefined, required: Role): Actor {
  if (!actor) throw new UnauthenticatedError('sign in or send an API key');
  if (!roleAtLeast(actor.role, required)) {
    throw new ForbiddenError(`this needs the ${required} role; ${actor.name} has ${actor.role}`, {
      required,
      role: actor.role,
    });
  }
  return actor;
}

/** Roles in increasing power, as the api defines them. */
export const ROLES = ['VIEWER', 'OPERATOR', 'RESPONDER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role | null | undefined, required: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

const ARTICLE: Record<Role, string> = { VIEWER: 'a viewer', OPERATOR: 'an operator', RESPONDER: 'a responder', ADMIN: 'an admin' };

/** Why a control is disabled: "Needs the OPERATOR role (you are a viewer)". */
export function roleReason(role: Role | null | undefined, required: Role): string {
  return `Needs the ${required} role${role ? ` (you are ${ARTICLE[role]})` : ''}`;
}

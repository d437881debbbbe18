import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (a const enum the package declares ambiently). */
const ARGON2ID = 2;

export interface PasswordParams {
  memoryKib: number;
  iterations: number;
}

/** Argon2id (memory-hard), encoded with its parameters so they can be raised later. */
export function hashPassword(password: string, p: PasswordParams): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: p.memoryKib, timeCost: p.iterations, parallelism: 1 });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal accounts. */
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$lKXYIkU8KA2b7TPH45us7A$974+SJRQIzM9UU0mIxmrYHXZHw1yWmwxCbWTY0wLlDA';

export function checkPasswordStrength(password: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  return null;
}

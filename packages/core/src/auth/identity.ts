import type { ApiKey, User } from '@warden/db';
import { z } from 'zod';
import { audit } from '../audit/audit.js';
import { now, type CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.js';
import { checkPasswordStrength, DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { requireRole, roleAtLeast, ROLES, type Actor, type Role } from './roles.js';
import { generateSecret, hashSecret, SECRET_PREFIX, secretPrefix } from './secrets.js';

/** How often `last_used_at` is written for a busy session or key (one write per minute, not per request). */
const TOUCH_EVERY_MS = 60_000;

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: User;
}

/**
 * Checks a password and opens a session. The answer for an unknown email and a wrong password is
 * the same, and takes the same time. Rate limiting is the transport's job (it knows the client).
 */
export async function login(
  deps: CoreDeps,
  input: { email: string; password: string; ip?: string | null; userAgent?: string | null },
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const user = await deps.db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user || !ok || user.disabledAt) {
    await deps.db.auditLog.create({
      data: { actorType: 'USER', actorId: user?.id ?? null, actorName: email.slice(0, 200), action: 'auth.login.failed', ip: input.ip ?? null },
    });
    throw new UnauthenticatedError('wrong email or password');
  }
  const token = generateSecret(SECRET_PREFIX.session);
  const at = now(deps);
  const expiresAt = new Date(at.getTime() + deps.config.auth.sessionTtlHours * 3_600_000);
  await deps.db.$transaction([
    deps.db.session.create({
      data: {
        userId: user.id,
        tokenHash: hashSecret(token, deps.config.auth.tokenPepper),
        expiresAt,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 300) ?? null,
      },
    }),
    deps.db.user.update({ where: { id: user.id }, data: { lastLoginAt: at } }),
    deps.db.auditLog.create({
      data: { actorType: 'USER', actorId: user.id, actorName: user.email, action: 'auth.login', targetType: 'User', targetId: user.id, ip: input.ip ?? null },
    }),
  ]);
  return { token, expiresAt, user };
}

/** Ends the caller's session. */
export async function logout(deps: CoreDeps, actor: Actor, token: string): Promise<boolean> {
  // The revocation and its audit row commit together: no sign-out goes unrecorded.
  return deps.db.$transaction(async (tx) => {
    const res = await tx.session.updateMany({
      where: { tokenHash: hashSecret(token, deps.config.auth.tokenPepper), revokedAt: null },
      data: { revokedAt: now(deps) },
    });
    if (res.count) await audit(tx, actor, { action: 'auth.logout', targetType: 'User', targetId: actor.id });
    return res.count > 0;
  });
}

/**
 * Resolves a bearer secret (session token or API key) to the actor behind it, or null when it is
 * unknown, expired, revoked or its user disabled. Never says which.
 */
export async function authenticate(
  deps: CoreDeps,
  secret: string,
  meta: { ip?: string | null; requestId?: string | null } = {},
): Promise<Actor | null> {
  const at = now(deps);
  const hash = hashSecret(secret, deps.config.auth.tokenPepper);
  // Runs on every request: one indexed lookup on the plain pool, and a throttled last-use write.
  if (secret.startsWith(`${SECRET_PREFIX.session}_`)) {
    const { rows } = await deps.sql.query<{ id: string; userId: string; email: string; role: Role; lastUsedAt: Date | null; expiresAt: Date }>(
      `SELECT s.id::text AS id, u.id::text AS "userId", u.email, u.role::text AS role, s.last_used_at AS "lastUsedAt", s.expires_at AS "expiresAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
      [hash, at],
    );
    const s = rows[0];
    if (!s) return null;
    if (!s.lastUsedAt || at.getTime() - s.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await deps.sql.query('UPDATE sessions SET last_used_at = $2 WHERE id = $1', [s.id, at]);
    }
    return { type: 'USER', id: s.userId, name: s.email, role: s.role, ip: meta.ip ?? null, requestId: meta.requestId ?? null, expiresAt: s.expiresAt };
  }
  if (secret.startsWith(`${SECRET_PREFIX.apiKey}_`)) {
    const { rows } = await deps.sql.query<{ id: string; name: string; role: Role; lastUsedAt: Date | null; lastUsedIp: string | null; expiresAt: Date | null }>(
      `SELECT id::text AS id, name, role::text AS role, last_used_at AS "lastUsedAt", last_used_ip AS "lastUsedIp", expires_at AS "expiresAt"
       FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [hash, at],
    );
    const k = rows[0];
    if (!k) return null;
    if (!k.lastUsedAt || at.getTime() - k.lastUsedAt.getTime() > TOUCH_EVERY_MS || k.lastUsedIp !== (meta.ip ?? null)) {
      await deps.sql.query('UPDATE api_keys SET last_used_at = $2, last_used_ip = $3 WHERE id = $1', [k.id, at, meta.ip ?? null]);
    }
    return { type: 'API_KEY', id: k.id, name: `api-key:${k.name}`, role: k.role, ip: meta.ip ?? null, requestId: meta.requestId ?? null, expiresAt: k.expiresAt };
  }
  return null;
}

const email = z.string().trim().toLowerCase().email('is not an email address').max(200);
const role = z.enum(ROLES);

function field<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(`${name}: ${r.error.issues[0]!.message}`, name);
  return r.data;
}

export async function createUser(
  deps: CoreDeps,
  actor: Actor,
  input: { email: string; name: string; password: string; role: Role },
): Promise<User> {
  requireRole(actor, 'ADMIN');
  const data = {
    email: field(email, input.email, 'email'),
    name: field(z.string().trim().min(1, 'is required').max(200), input.name, 'name'),
    role: field(role, input.role, 'role'),
  };
  const weak = checkPasswordStrength(input.password);
  if (weak) throw new ValidationError(`password: ${weak}`, 'password');
  const passwordHash = await hashPassword(input.password, { memoryKib: deps.config.auth.passwordMemoryKib, iterations: deps.config.auth.passwordIterations });
  return deps.db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: data.email } })) throw new ConflictError(`a user with email ${data.email} already exists`, { field: 'email' });
    const user = await tx.user.create({ data: { ...data, passwordHash } });
    await audit(tx, actor, { action: 'user.create', targetType: 'User', targetId: user.id, summary: { after: data } });
    return user;
  });
}

export async function updateUser(
  deps: CoreDeps,
  actor: Actor,
  id: string,
  input: { name?: string; role?: Role; disabled?: boolean },
): Promise<User> {
  requireRole(actor, 'ADMIN');
  if (id === actor.id && (input.role !== undefined || input.disabled)) {
    throw new ValidationError('you cannot change your own role or disable yourself', input.role !== undefined ? 'role' : 'disabled');
  }
  const name = input.name === undefined ? undefined : field(z.string().trim().min(1).max(200), input.name, 'name');
  const newRole = input.role === undefined ? undefined : field(role, input.role, 'role');
  return deps.db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('user', id);
    const disabledAt = input.disabled === undefined ? undefined : input.disabled ? (before.disabledAt ?? now(deps)) : null;
    const user = await tx.user.update({ where: { id }, data: { name, role: newRole, disabledAt } });
    if (input.disabled) await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now(deps) } });
    await audit(tx, actor, {
      action: 'user.update',
      targetType: 'User',
      targetId: id,
      summary: {
        before: { name: before.name, role: before.role, disabled: !!before.disabledAt },
        after: { name: user.name, role: user.role, disabled: !!user.disabledAt },
      },
    });
    return user;
  });
}

export async function changePassword(deps: CoreDeps, actor: Actor, input: { currentPassword: string; newPassword: string }): Promise<boolean> {
  if (actor.type !== 'USER' || !actor.id) throw new ValidationError('only a signed-in user can change a password', 'currentPassword');
  const user = await deps.db.user.findUnique({ where: { id: actor.id } });
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ValidationError('currentPassword: is wrong', 'currentPassword');
  }
  const weak = checkPasswordStrength(input.newPassword);
  if (weak) throw new ValidationError(`newPassword: ${weak}`, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword, { memoryKib: deps.config.auth.passwordMemoryKib, iterations: deps.config.auth.passwordIterations });
  await deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await audit(tx, actor, { action: 'user.password.change', targetType: 'User', targetId: user.id });
  });
  return true;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The key itself: shown once, never stored. */
  secret: string;
}

/**
 * Creates an API key for automation. A key can hold at most its creator's role, and should expire:
 * `expiresAt` is optional but recommended.
 */
export async function createApiKey(
  deps: CoreDeps,
  actor: Actor,
  input: { name: string; role: Role; expiresAt?: Date | null },
): Promise<CreatedApiKey> {
  requireRole(actor, 'ADMIN');
  const name = field(z.string().trim().min(1, 'is required').max(100), input.name, 'name');
  const keyRole = field(role, input.role, 'role');
  if (!roleAtLeast(actor.role, keyRole)) throw new ValidationError(`role: cannot exceed your own role ${actor.role}`, 'role');
  if (input.expiresAt && input.expiresAt <= now(deps)) throw new ValidationError('expiresAt: must be in the future', 'expiresAt');
  const secret = generateSecret(SECRET_PREFIX.apiKey);
  return deps.db.$transaction(async (tx) => {
    const apiKey = await tx.apiKey.create({
      data: {
        name,
        role: keyRole,
        prefix: secretPrefix(secret),
        keyHash: hashSecret(secret, deps.config.auth.tokenPepper),
        createdById: actor.type === 'USER' ? actor.id : null,
        expiresAt: input.expiresAt ?? null,
      },
    });
    await audit(tx, actor, { action: 'apiKey.create', targetType: 'ApiKey', targetId: apiKey.id, summary: { after: { name, role: keyRole, expiresAt: input.expiresAt ?? null, prefix: apiKey.prefix } } });
    return { apiKey, secret };
  });
}

export async function revokeApiKey(deps: CoreDeps, actor: Actor, id: string): Promise<ApiKey> {
  requireRole(actor, 'ADMIN');
  return deps.db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id } });
    if (!key) throw new NotFoundError('API key', id);
    if (key.revokedAt) return key;
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now(deps) } });
    await audit(tx, actor, { action: 'apiKey.revoke', targetType: 'ApiKey', targetId: id, summary: { name: key.name, prefix: key.prefix } });
    return revoked;
  });
}

export async function listApiKeys(deps: CoreDeps, actor: Actor): Promise<ApiKey[]> {
  requireRole(actor, 'ADMIN');
  return deps.db.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
}

export async function listUsers(deps: CoreDeps, actor: Actor): Promise<User[]> {
  requireRole(actor, 'ADMIN');
  return deps.db.user.findMany({ orderBy: { email: 'asc' } });
}

import type { Prisma } from '@warden/db';
import { auditMany } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { generateSecret, hashSecret, secretPrefix, SECRET_PREFIX } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

/** A freshly issued device token. `token` is shown once and never stored. */
export interface IssuedCredential {
  id: string;
  deviceId: string;
  controllerId: string;
  prefix: string;
  token: string;
  expiresAt: Date | null;
}

const MAX_BULK = 10_000;

/**
 * Issues a new token per device. With `mode: 'rotate'` every earlier token of those devices is
 * revoked in the same transaction (after a compromise: the old secret must stop working now).
 */
export async function issueCredentials(
  deps: CoreDeps,
  tx: Prisma.TransactionClient,
  actor: Actor,
  deviceIds: string[],
  mode: 'issue' | 'rotate',
  expiresAt: Date | null = null,
): Promise<IssuedCredential[]> {
  const devices = await tx.device.findMany({
    where: { id: { in: deviceIds } },
    select: { id: true, controllerId: true, status: true, serial: true },
  });
  if (devices.length !== deviceIds.length) {
    const found = new Set(devices.map((d) => d.id));
    throw new NotFoundError('device', deviceIds.find((i) => !found.has(i))!);
  }
  const retired = devices.find((d) => d.status === 'RETIRED');
  if (retired) throw new ConflictError(`device ${retired.serial} is retired`);
  const at = new Date();
  let revoked = 0;
  if (mode === 'rotate') {
    const r = await tx.deviceCredential.updateMany({
      where: { deviceId: { in: deviceIds }, revokedAt: null },
      data: { revokedAt: at, revokedBy: actor.name },
    });
    revoked = r.count;
  }
  const issued = devices.map((d) => {
    const token = generateSecret(SECRET_PREFIX.device);
    return { id: crypto.randomUUID(), deviceId: d.id, controllerId: d.controllerId, prefix: secretPrefix(token), token, expiresAt };
  });
  await tx.deviceCredential.createMany({
    data: issued.map((c) => ({
      id: c.id,
      deviceId: c.deviceId,
      prefix: c.prefix,
      tokenHash: hashSecret(c.token, deps.config.auth.tokenPepper),
      createdBy: actor.name,
      expiresAt,
    })),
  });
  await auditMany(
    tx,
    actor,
    issued.map((c) => ({
      action: mode === 'rotate' ? 'device.credential.rotate' : 'device.credential.issue',
      targetType: 'Device',
      targetId: c.deviceId,
      summary: { credentialId: c.id, prefix: c.prefix, revokedEarlier: mode === 'rotate' ? revoked : 0 },
    })),
  );
  return issued;
}

function checkIds(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  if (!unique.length) throw new ValidationError('give at least one device id', 'deviceIds');
  if (unique.length > MAX_BULK) throw new ValidationError(`at most ${MAX_BULK} devices per call`, 'deviceIds');
  return unique;
}

/** Issues an additional token for one device (provisioning). */
export async function issueDeviceCredential(
  deps: CoreDeps,
  actor: Actor,
  input: { deviceId: string; expiresAt?: Date | null },
): Promise<IssuedCredential> {
  requireRole(actor, 'OPERATOR');
  if (input.expiresAt && input.expiresAt <= new Date()) throw new ValidationError('expiresAt must be in the future', 'expiresAt');
  const [c] = await deps.db.$transaction((tx) => issueCredentials(deps, tx, actor, [input.deviceId], 'issue', input.expiresAt ?? null));
  return c!;
}

/**
 * Rotates the tokens of many devices at once (provisioning, the demo roster). After a compromise use
 * containment's `rotateCredentials`: it records the action, links it to the incident, can be undone,
 * and makes the gateways forget the old tokens at once.
 */
export async function rotateDeviceCredentials(deps: CoreDeps, actor: Actor, input: { deviceIds: string[] }): Promise<IssuedCredential[]> {
  requireRole(actor, 'RESPONDER');
  const ids = checkIds(input.deviceIds);
  return deps.db.$transaction((tx) => issueCredentials(deps, tx, actor, ids, 'rotate'), { timeout: 60_000 });
}

/**
 * Revokes every token of the given devices: they can no longer talk to Warden until re-issued
 * (gateways may accept a cached token for up to DEVICE_AUTH_CACHE_SECONDS; containment's
 * `revokeCredentials` evicts them at once).
 */
export async function revokeDeviceCredentials(deps: CoreDeps, actor: Actor, input: { deviceIds: string[] }): Promise<number> {
  requireRole(actor, 'RESPONDER');
  const ids = checkIds(input.deviceIds);
  return deps.db.$transaction(async (tx) => {
    const active = await tx.deviceCredential.findMany({ where: { deviceId: { in: ids }, revokedAt: null }, select: { id: true, deviceId: true } });
    await tx.deviceCredential.updateMany({ where: { id: { in: active.map((c) => c.id) } }, data: { revokedAt: new Date(), revokedBy: actor.name } });
    await auditMany(
      tx,
      actor,
      ids.map((id) => ({ action: 'device.credential.revoke', targetType: 'Device', targetId: id, summary: { revoked: active.filter((c) => c.deviceId === id).length } })),
    );
    return active.length;
  });
}

import type { Device } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { generateSecret, hashSecret, secretPrefix, SECRET_PREFIX } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { assertId } from '../firmware/uuid.js';

/**
 * DDI gateway tokens: one secret that may act as any controller of the tenant and registers
 * controllers it has not seen (as devices of `modelId`). Shown once, stored hashed.
 */
export async function createGatewayToken(deps: CoreDeps, actor: Actor, input: { name: string; modelId: string }): Promise<{ id: string; token: string; prefix: string }> {
  requireRole(actor, 'ADMIN');
  if (!input.name.trim() || input.name.length > 100) throw new ValidationError('name: 1-100 characters', 'name');
  assertId('device model', input.modelId);
  const token = generateSecret(SECRET_PREFIX.gateway);
  return deps.db.$transaction(async (tx) => {
    const model = await tx.deviceModel.findUnique({ where: { id: input.modelId } });
    if (!model) throw new NotFoundError('device model', input.modelId);
    const row = await tx.ddiGatewayToken.create({
      data: { name: input.name.trim(), modelId: input.modelId, prefix: secretPrefix(token), tokenHash: hashSecret(token, deps.config.auth.tokenPepper), createdBy: actor.name },
    });
    await audit(tx, actor, { action: 'ddi.gateway-token.create', targetType: 'ddi_gateway_token', targetId: row.id, summary: { name: row.name, prefix: row.prefix } });
    return { id: row.id, token, prefix: row.prefix };
  });
}

export async function authenticateGateway(deps: CoreDeps, token: string): Promise<{ tokenId: string; modelId: string } | null> {
  if (!token || token.length > 200) return null;
  const row = await deps.db.ddiGatewayToken.findUnique({ where: { tokenHash: hashSecret(token, deps.config.auth.tokenPepper) } });
  if (!row || row.revokedAt) return null;
  return { tokenId: row.id, modelId: row.modelId };
}

const CONTROLLER_ID = /^[\w.:-]{1,128}$/;

/** The device a gateway speaks for; an unknown controller is registered (PROVISIONING). */
export async function resolveGatewayController(
  deps: CoreDeps,
  gateway: { tokenId: string; modelId: string },
  controllerId: string,
  register: boolean,
): Promise<Pick<Device, 'id' | 'controllerId'> | null> {
  const existing = await deps.db.device.findUnique({ where: { controllerId }, select: { id: true, controllerId: true, status: true } });
  if (existing) return existing.status === 'RETIRED' ? null : existing;
  if (!register || !CONTROLLER_ID.test(controllerId)) return null;
  const model = await deps.db.deviceModel.findUniqueOrThrow({ where: { id: gateway.modelId } });
  return deps.db.$transaction(async (tx) => {
    const device = await tx.device.upsert({
      where: { controllerId },
      create: { controllerId, serial: controllerId, name: controllerId, kind: model.kind, modelId: model.id },
      update: {},
      select: { id: true, controllerId: true },
    });
    await audit(tx, { type: 'SYSTEM', id: gateway.tokenId, name: 'ddi-gateway', role: 'OPERATOR' }, {
      action: 'device.register',
      targetType: 'Device',
      targetId: device.id,
      summary: { controllerId, via: 'ddi-gateway-token' },
    });
    return device;
  });
}

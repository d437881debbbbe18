import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { generateSecret, hashSecret, secretPrefix, SECRET_PREFIX } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';

/**
 * Issues a site gateway token (`Authorization: GatewayToken <token>` on telemetry): an office hub
 * or edge gateway that forwards many devices' telemetry in one request, for the devices of its
 * site only. Shown once; only its hash is stored.
 */
export async function issueSiteGatewayToken(
  deps: CoreDeps,
  actor: Actor,
  input: { siteId: string; name: string; expiresAt?: Date | null },
): Promise<{ id: string; token: string; prefix: string }> {
  requireRole(actor, 'ADMIN');
  const name = input.name.trim();
  if (!name || name.length > 100) throw new ValidationError('name: 1-100 characters', 'name');
  const token = generateSecret(SECRET_PREFIX.gateway);
  return deps.db.$transaction(async (tx) => {
    const site = await tx.site.findUnique({ where: { id: input.siteId }, select: { id: true } });
    if (!site) throw new NotFoundError('site', input.siteId);
    const row = await tx.gatewayCredential.create({
      data: { name, prefix: secretPrefix(token), tokenHash: hashSecret(token, deps.config.auth.tokenPepper), siteId: site.id, createdBy: actor.name, expiresAt: input.expiresAt ?? null },
    });
    await audit(tx, actor, { action: 'gateway.credential.issue', targetType: 'GatewayCredential', targetId: row.id, summary: { name, prefix: row.prefix, siteId: site.id } });
    return { id: row.id, token, prefix: row.prefix };
  });
}

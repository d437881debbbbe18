import { hashSecret } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';

/** A device proven by its token. */
export interface AuthenticatedDevice {
  deviceId: string;
  controllerId: string;
  credentialId: string;
}

/**
 * Checks a device token (DDI `TargetToken`, telemetry) against the stored hashes. Revoked or
 * expired tokens and retired devices are refused. One indexed lookup, no slow KDF: tokens carry
 * 256 bits of entropy (see auth/secrets.ts).
 */
export async function authenticateDevice(deps: Pick<CoreDeps, 'db' | 'config' | 'now'>, token: string): Promise<AuthenticatedDevice | null> {
  if (!token || token.length > 200) return null;
  const cred = await deps.db.deviceCredential.findUnique({
    where: { tokenHash: hashSecret(token, deps.config.auth.tokenPepper) },
    select: { id: true, revokedAt: true, expiresAt: true, device: { select: { id: true, controllerId: true, status: true } } },
  });
  if (!cred || cred.revokedAt || cred.device.status === 'RETIRED') return null;
  const now = deps.now?.() ?? new Date();
  if (cred.expiresAt && cred.expiresAt <= now) return null;
  return { deviceId: cred.device.id, controllerId: cred.device.controllerId, credentialId: cred.id };
}

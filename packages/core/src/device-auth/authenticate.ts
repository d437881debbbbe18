import { deviceByTokenHash } from '@warden/db';
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
export async function authenticateDevice(deps: Pick<CoreDeps, 'sql' | 'config' | 'now'>, token: string): Promise<AuthenticatedDevice | null> {
  if (!token || token.length > 200) return null;
  const row = await deviceByTokenHash(deps.sql, hashSecret(token, deps.config.auth.tokenPepper));
  if (!row || row.revoked_at || row.status === 'RETIRED') return null;
  if (row.expires_at && row.expires_at <= (deps.now?.() ?? new Date())) return null;
  return { deviceId: row.device_id, controllerId: row.controller_id, credentialId: row.credential_id };
}

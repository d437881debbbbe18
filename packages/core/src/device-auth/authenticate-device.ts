import { LRUCache } from 'lru-cache';
import type { Db } from '@warden/db';
import { hashSecret } from '../auth/secrets.js';
import { UnauthenticatedError } from '../errors.js';

/**
 * Who is speaking on a device protocol (DDI, telemetry). A device token speaks for its device
 * only; a gateway token for many devices (those of its site when it is scoped to one).
 */
export type DevicePrincipal =
  | { kind: 'device'; credentialId: string; deviceId: string; controllerId: string; quarantined?: boolean }
  | { kind: 'gateway'; credentialId: string; gatewayName: string; siteId: string | null };

export type DeviceAuthScheme = 'TargetToken' | 'GatewayToken';

export interface DeviceCredentials {
  scheme: DeviceAuthScheme;
  token: string;
}

/**
 * Reads `Authorization: TargetToken <token>` or `GatewayToken <token>` (the hawkBit DDI schemes).
 * Returns undefined when the header is missing or uses another scheme.
 */
export function parseDeviceAuthorization(header: string | undefined): DeviceCredentials | undefined {
  const m = /^\s*(TargetToken|GatewayToken)\s+(\S{8,512})\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase() === 'targettoken' ? 'TargetToken' : 'GatewayToken';
  return { scheme, token: m[2]! };
}

export interface DeviceAuthDeps {
  db: Db;
  config: { auth: { tokenPepper: string } };
  now?: () => Date;
}

/**
 * Resolves a device or gateway token to its principal. Throws {@link UnauthenticatedError} for an
 * unknown, revoked or expired token, or a token of a retired device. The message never contains
 * the token.
 */
export async function authenticateDevice(deps: DeviceAuthDeps, creds: DeviceCredentials): Promise<DevicePrincipal> {
  const tokenHash = hashSecret(creds.token, deps.config.auth.tokenPepper);
  const at = deps.now?.() ?? new Date();
  if (creds.scheme === 'TargetToken') {
    const cred = await deps.db.deviceCredential.findUnique({
      where: { tokenHash },
      select: { id: true, revokedAt: true, expiresAt: true, device: { select: { id: true, controllerId: true, status: true } } },
    });
    if (!cred || cred.revokedAt || (cred.expiresAt && cred.expiresAt <= at) || cred.device.status === 'RETIRED') {
      throw new UnauthenticatedError('unknown, revoked or expired device token');
    }
    void touch(() => deps.db.deviceCredential.update({ where: { id: cred.id }, data: { lastUsedAt: at } }));
    return { kind: 'device', credentialId: cred.id, deviceId: cred.device.id, controllerId: cred.device.controllerId, quarantined: cred.device.status === 'QUARANTINED' };
  }
  const cred = await deps.db.gatewayCredential.findUnique({ where: { tokenHash } });
  if (!cred || cred.revokedAt || (cred.expiresAt && cred.expiresAt <= at)) {
    throw new UnauthenticatedError('unknown, revoked or expired gateway token');
  }
  void touch(() => deps.db.gatewayCredential.update({ where: { id: cred.id }, data: { lastUsedAt: at } }));
  return { kind: 'gateway', credentialId: cred.id, gatewayName: cred.name, siteId: cred.siteId };
}

// `last_used_at` is informational: a failed write must not fail the request.
async function touch(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    /* ignored on purpose */
  }
}

export interface DeviceAuthenticator {
  authenticate(creds: DeviceCredentials): Promise<DevicePrincipal>;
  /**
   * The ids in `deviceIds` this principal may not speak for: other devices for a device token;
   * unknown or retired devices, or devices outside its site, for a gateway token.
   */
  forbiddenDevices(principal: DevicePrincipal, deviceIds: Iterable<string>): Promise<Set<string>>;
  /** The ids in `deviceIds` that are quarantined (their telemetry is flagged), as far as this cache knows. */
  quarantinedDevices(principal: DevicePrincipal, deviceIds: Iterable<string>): Promise<Set<string>>;
  /**
   * Forgets what it knows of these devices (their tokens, status, site) and every cached failure,
   * so a revoked token is refused, a reinstated one accepted and a quarantine seen on the next
   * request; `'all'` forgets everything. A lookup that was in flight is not cached.
   */
  evict(deviceIds: Iterable<string> | 'all'): void;
}

/**
 * {@link authenticateDevice} with a short-lived cache, for endpoints that devices hit often.
 * A revoked token stops working within `ttlMs`. Failures are cached too (briefly), so a
 * device retrying with a bad token does not cost a query per request.
 */
export function createDeviceAuthenticator(deps: DeviceAuthDeps, opts: { ttlMs: number; max?: number }): DeviceAuthenticator {
  type Entry = { principal: DevicePrincipal } | { error: UnauthenticatedError };
  const tokens = new LRUCache<string, Entry>({ max: opts.max ?? 50_000, ttl: opts.ttlMs });
  // deviceId -> site id ('' for a device with no segment), or null for unknown/retired.
  const devices = new LRUCache<string, { site: string | null; quarantined: boolean }>({ max: opts.max ?? 100_000, ttl: opts.ttlMs });
  const inflight = new Map<string, { generation: number; promise: Promise<Entry> }>();
  // Bumped by every eviction: an answer read before it may be stale and is not cached.
  let generation = 0;

  type DeviceFacts = { site: string | null; quarantined: boolean };
  /** What is known of `ids`, reading the ones not cached; an answer read across an eviction is not cached. */
  async function deviceFacts(ids: string[]): Promise<Map<string, DeviceFacts>> {
    const out = new Map<string, DeviceFacts>();
    const missing: string[] = [];
    for (const id of ids) {
      const d = devices.get(id);
      if (d) out.set(id, d);
      else missing.push(id);
    }
    if (!missing.length) return out;
    const started = generation;
    const rows = await deps.db.device.findMany({
      where: { id: { in: missing }, status: { not: 'RETIRED' } },
      select: { id: true, status: true, segment: { select: { siteId: true } } },
    });
    const found = new Map(rows.map((r) => [r.id, { site: r.segment?.siteId ?? '', quarantined: r.status === 'QUARANTINED' }]));
    for (const id of missing) {
      const d = found.get(id) ?? { site: null, quarantined: false };
      out.set(id, d);
      if (started === generation) devices.set(id, d);
    }
    return out;
  }

  return {
    async authenticate(creds) {
      const key = `${creds.scheme}:${hashSecret(creds.token, deps.config.auth.tokenPepper)}`;
      let entry = tokens.get(key);
      if (!entry) {
        let flight = inflight.get(key);
        if (!flight || flight.generation !== generation) {
          const promise = authenticateDevice(deps, creds).then(
            (principal): Entry => ({ principal }),
            (err: unknown): Entry => {
              if (err instanceof UnauthenticatedError) return { error: err };
              throw err;
            },
          );
          const started: { generation: number; promise: Promise<Entry> } = { generation, promise };
          flight = started;
          inflight.set(key, started);
          promise.finally(() => inflight.get(key) === started && inflight.delete(key)).catch(() => {});
        }
        entry = await flight.promise;
        if (flight.generation === generation) tokens.set(key, entry, 'error' in entry ? { ttl: Math.min(opts.ttlMs, 5_000) } : undefined);
      }
      if ('error' in entry) throw entry.error;
      return entry.principal;
    },

    async forbiddenDevices(principal, deviceIds) {
      const ids = [...new Set(deviceIds)];
      if (principal.kind === 'device') return new Set(ids.filter((id) => id !== principal.deviceId));
      const facts = await deviceFacts(ids);
      return new Set(
        ids.filter((id) => {
          const d = facts.get(id);
          if (!d || d.site === null) return true;
          return principal.siteId !== null && d.site !== principal.siteId;
        }),
      );
    },

    async quarantinedDevices(principal, deviceIds) {
      if (principal.kind === 'device') return new Set(principal.quarantined ? [...deviceIds].filter((id) => id === principal.deviceId) : []);
      const ids = [...new Set(deviceIds)];
      const facts = await deviceFacts(ids);
      return new Set(ids.filter((id) => facts.get(id)?.quarantined));
    },

    evict(deviceIds) {
      generation++;
      if (deviceIds === 'all') {
        tokens.clear();
        devices.clear();
        return;
      }
      const ids = new Set(deviceIds);
      for (const id of ids) devices.delete(id);
      for (const [key, entry] of tokens.entries()) {
        if ('error' in entry || (entry.principal.kind === 'device' && ids.has(entry.principal.deviceId))) tokens.delete(key);
      }
    },
  };
}

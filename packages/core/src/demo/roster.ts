import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deviceRosterSchema, type DeviceKind, type DeviceRoster } from '@warden/contracts';
import type { Actor } from '../auth/roles.js';
import { hashSecret } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';
import { issueSiteGatewayToken } from '../device-auth/gateway-credentials.js';
import { rotateDeviceCredentials } from '../fleet/credentials.js';

/**
 * Provisions the simulated office's devices: a fresh device token for every live device of the
 * site and a site gateway token, written with each device's identity and placement to the roster
 * file the simulator reads (mode 0600; the registry keeps only hashes). A roster that still
 * matches the registry is kept as it is, so restarting does not rotate every token.
 */
export interface RosterOptions {
  file: string;
  siteCode: string;
  tenant: string;
  /** The firmware key devices trust. */
  firmwareKey?: { keyId: string; publicKeyPem: string };
}

const BULK = 10_000;

async function current(file: string): Promise<DeviceRoster | null> {
  try {
    const r = deviceRosterSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export async function provisionDemoRoster(deps: CoreDeps, actor: Actor, opts: RosterOptions): Promise<{ roster: DeviceRoster; issued: boolean }> {
  const site = await deps.db.site.findUniqueOrThrow({ where: { code: opts.siteCode }, include: { segments: { orderBy: { name: 'asc' } } } });
  const devices = await deps.db.device.findMany({
    where: { status: { not: 'RETIRED' }, segment: { siteId: site.id } },
    orderBy: { serial: 'asc' },
    select: { id: true, controllerId: true, serial: true, kind: true, ip: true, firmwareVersion: true, model: { select: { vendor: true, name: true, otaCapable: true } }, segment: { select: { name: true } } },
  });
  const existing = await current(opts.file);
  if (existing && existing.devices.length === devices.length && (await stillValid(deps, existing, devices.map((d) => d.id)))) {
    return { roster: existing, issued: false };
  }
  const tokens = new Map<string, string>();
  for (let i = 0; i < devices.length; i += BULK) {
    const issued = await rotateDeviceCredentials(deps, actor, { deviceIds: devices.slice(i, i + BULK).map((d) => d.id) });
    for (const c of issued) tokens.set(c.deviceId, c.token);
  }
  const gateway = await issueSiteGatewayToken(deps, actor, { siteId: site.id, name: 'demo office hub (simulator)' });
  const roster: DeviceRoster = {
    version: 1,
    generatedAt: new Date().toISOString(),
    tenant: opts.tenant,
    site: site.code,
    gatewayToken: gateway.token,
    ...(opts.firmwareKey ? { firmwareKey: { algorithm: 'Ed25519' as const, ...opts.firmwareKey } } : {}),
    segments: site.segments.map((s) => ({ name: s.name, cidr: s.cidr, zone: s.zone })),
    devices: devices.map((d) => ({
      id: d.id,
      controllerId: d.controllerId,
      serial: d.serial,
      kind: d.kind as DeviceKind,
      model: `${d.model.vendor}/${d.model.name}`,
      otaCapable: d.model.otaCapable,
      segment: d.segment?.name ?? '',
      ip: d.ip ?? '0.0.0.0',
      firmwareVersion: d.firmwareVersion ?? '0.0.0',
      token: tokens.get(d.id)!,
    })),
  };
  await writeSecretFile(opts.file, JSON.stringify(roster));
  return { roster, issued: true };
}

/** The roster's devices are the registry's and its tokens still work (a sample is checked). */
async function stillValid(deps: CoreDeps, roster: DeviceRoster, ids: string[]): Promise<boolean> {
  const want = new Set(ids);
  if (!roster.devices.every((d) => want.has(d.id))) return false;
  const sample = roster.devices.filter((_, i) => i % Math.max(1, Math.floor(roster.devices.length / 50)) === 0);
  const live = await deps.db.deviceCredential.count({
    where: { tokenHash: { in: sample.map((d) => hashSecret(d.token, deps.config.auth.tokenPepper)) }, revokedAt: null },
  });
  return live === sample.length;
}

async function writeSecretFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

import type { Actor } from '../auth/roles.js';
import { createApiKey, createUser } from '../auth/identity.js';
import type { CoreDeps } from '../context.js';
import { importDevices, type ImportResult } from '../fleet/import.js';
import { createDeviceModel, createSegment, createSite } from '../fleet/places.js';
import { seedBuiltinPlaybooks } from '../playbooks/builtin.js';
import { demoOffice } from './office.js';

export interface SeedResult {
  seeded: boolean;
  import?: ImportResult;
  admin?: { email: string; password: string; apiKey: string };
}

/**
 * Seeds the demo office into an empty registry (idempotent: does nothing once a site exists), with
 * the built-in playbooks, an admin user and an API key whose secrets are returned once for the
 * caller to print.
 */
export async function seedDemoOffice(
  deps: CoreDeps,
  actor: Actor,
  opts: { seed?: number; scale?: number; adminEmail?: string; adminPassword: string },
): Promise<SeedResult> {
  if ((await deps.db.site.count()) > 0) return { seeded: false };
  const office = demoOffice(opts.seed ?? 42, opts.scale ?? 1);
  const site = await createSite(deps, actor, office.site);
  for (const s of office.segments) await createSegment(deps, actor, { siteId: site.id, ...s });
  for (const m of office.models) await createDeviceModel(deps, actor, { vendor: m.vendor, name: m.name, kind: m.kind as never, otaCapable: m.otaCapable });
  const result = await importDevices(deps, actor, { format: 'JSON', data: JSON.stringify(office.devices) });
  // The worm-outbreak playbook: what the office does when the simulator's worm starts scanning.
  await seedBuiltinPlaybooks(deps, actor);
  const email = opts.adminEmail ?? 'admin@warden.local';
  const admin = (await deps.db.user.findUnique({ where: { email } }))
    ?? (await createUser(deps, actor, { email, name: 'Warden Admin', password: opts.adminPassword, role: 'ADMIN' }));
  const key = await createApiKey(deps, { ...actor, type: 'USER', id: admin.id, name: admin.email }, { name: 'demo-automation', role: 'RESPONDER' });
  return { seeded: true, import: result, admin: { email, password: opts.adminPassword, apiKey: key.secret } };
}

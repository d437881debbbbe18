import { Readable } from 'node:stream';
import type { Release } from '@warden/db';
import type { Actor } from '../auth/roles.js';
import { upsertAdvisory } from '../firmware/advisories.js';
import { uploadArtifact } from '../firmware/artifacts.js';
import type { FirmwareDeps } from '../firmware/deps.js';
import { createRelease } from '../firmware/releases.js';
import { addThreatIntel } from '../incidents/use-cases.js';
import { prng } from './office.js';

/**
 * The demo office's firmware catalogue: signed releases the demo can roll out, the advisory the
 * outbreak exploits (telnet left open with a default password in older bulb firmware, fixed in
 * 2.5.2) and the worm's command-and-control address on the threat-intel list.
 */
export const DEMO_ADVISORY = {
  externalId: 'WARDEN-DEMO-2026-0001',
  summary: 'Lumen A19 bulbs before 2.5.0 keep a telnet service with a default root password',
  model: 'Lumen/A19 Smart Bulb',
  fixed: '2.5.2',
} as const;

export const DEMO_RELEASES = [
  { model: 'Lumen/A19 Smart Bulb', version: '2.5.2', notes: `Closes the telnet service (${DEMO_ADVISORY.externalId}).` },
  { model: 'Thermia/T5 Thermostat', version: '4.3.0', notes: 'Smarter night set-back; fixes a drifting humidity reading.' },
] as const;

/** The release the demo's routine rollout ships. */
export const DEMO_ROUTINE_RELEASE = DEMO_RELEASES[1];

/** A small, deterministic firmware image for a model and version (what the demo devices download and verify). */
export function demoImage(model: string, version: string, bytes = 64 * 1024): Buffer {
  const rand = prng([...`${model}@${version}`].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261));
  const out = Buffer.alloc(bytes);
  const header = Buffer.from(`WARDEN-DEMO-FIRMWARE ${model} ${version}\n`);
  header.copy(out);
  for (let i = header.length; i < bytes; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

export interface DemoFirmware {
  releases: Release[];
  advisoryId: string;
}

/**
 * Uploads (signed), releases and links the demo firmware, the advisory and the threat-intel entry.
 * Idempotent: what exists is kept.
 */
export async function seedDemoFirmware(deps: FirmwareDeps, actor: Actor, opts: { exfil: string }): Promise<DemoFirmware> {
  const models = await deps.db.deviceModel.findMany({ select: { id: true, vendor: true, name: true } });
  const modelId = (name: string) => {
    const m = models.find((x) => `${x.vendor}/${x.name}` === name);
    if (!m) throw new Error(`the demo office has no model ${name}`);
    return m.id;
  };
  const releases: Release[] = [];
  for (const r of DEMO_RELEASES) {
    const existing = await deps.db.release.findUnique({ where: { modelId_version: { modelId: modelId(r.model), version: r.version } } });
    if (existing) {
      releases.push(existing);
      continue;
    }
    const filename = `${r.model.split('/')[1]!.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${r.version}.swu`;
    const { artifact } = await uploadArtifact(deps, actor, { filename, body: Readable.from([demoImage(r.model, r.version)]) });
    releases.push(await createRelease(deps, actor, { modelId: modelId(r.model), version: r.version, artifactIds: [artifact.id], notes: r.notes }));
  }
  const advisory = (await deps.db.advisory.findUnique({ where: { externalId: DEMO_ADVISORY.externalId } })) ?? (await upsertAdvisory(deps, actor, {
    externalId: DEMO_ADVISORY.externalId,
    summary: DEMO_ADVISORY.summary,
    details: 'A worm spreading through IoT segments logs in over telnet (23/2323) with the default password and recruits the bulb.',
    severity: 'CRITICAL',
    affected: [{ modelId: modelId(DEMO_ADVISORY.model), introduced: null, fixed: DEMO_ADVISORY.fixed, lastAffected: null }],
  }));
  const known = await deps.db.threatIntelEntry.findFirst({ where: { value: opts.exfil } });
  if (!known) await addThreatIntel(deps, actor, [{ value: opts.exfil, label: 'IoT worm command and control (demo)', source: 'demo feed' }]);
  return { releases, advisoryId: advisory.id };
}

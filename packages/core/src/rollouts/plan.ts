import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Criticality, DeviceStatus, ExclusionReason } from '@warden/db';
import { isValidRange, normalizeVersion, versionInRange } from '../firmware/version.js';

/** Pure rollout planning: which matched devices are targeted, which are skipped and why, and the waves. */

export const targetFilterSchema = z
  .object({
    modelIds: z.array(z.uuid()).max(1000).optional(),
    segmentIds: z.array(z.uuid()).max(1000).optional(),
    siteIds: z.array(z.uuid()).max(1000).optional(),
    /** Devices carrying any of these tags. */
    tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    /** Semver range of the current firmware version, e.g. ">=1.0.0 <1.4.0". */
    versionRange: z.string().max(200).refine(isValidRange, 'versionRange: a semver range such as ">=1.0.0 <1.4.0"').optional(),
    deviceIds: z.array(z.uuid()).max(100_000).optional(),
  })
  .strict();
export type TargetFilter = z.infer<typeof targetFilterSchema>;

/** A wave: a cumulative percentage of the targets ("up to 10%") or an explicit number of devices. */
export const waveSpecSchema = z.union([
  z.object({ percent: z.number().gt(0).max(100), name: z.string().max(100).optional() }).strict(),
  z.object({ size: z.number().int().min(1), name: z.string().max(100).optional() }).strict(),
]);
export type WaveSpec = z.infer<typeof waveSpecSchema>;

export interface CandidateDevice {
  id: string;
  modelId: string;
  firmwareVersion: string | null;
  status: DeviceStatus;
  criticality: Criticality;
  otaCapable: boolean;
  /** Holds an open action in another rollout. */
  busy: boolean;
}

export interface TargetSelection {
  targets: CandidateDevice[];
  exclusions: { deviceId: string; reason: ExclusionReason }[];
}

/**
 * Splits devices the filter matched into targets and exclusions. Quarantined devices stay targets:
 * the management channel stays open so they can be patched.
 */
export function selectTargets(devices: CandidateDevice[], filter: TargetFilter, release: { modelId: string; version: string }): TargetSelection {
  const targets: CandidateDevice[] = [];
  const exclusions: TargetSelection['exclusions'] = [];
  const releaseVersion = normalizeVersion(release.version);
  for (const d of devices) {
    if (filter.versionRange && !versionInRange(d.firmwareVersion, filter.versionRange)) continue;
    let reason: ExclusionReason | null = null;
    if (d.status === 'RETIRED') reason = 'RETIRED';
    else if (!d.otaCapable) reason = 'NOT_OTA_CAPABLE';
    else if (d.modelId !== release.modelId) reason = 'WRONG_MODEL';
    else if (releaseVersion !== null && normalizeVersion(d.firmwareVersion) === releaseVersion) reason = 'ALREADY_ON_RELEASE';
    else if (d.busy) reason = 'BUSY';
    if (reason) exclusions.push({ deviceId: d.id, reason });
    else targets.push(d);
  }
  return { targets, exclusions };
}

const CRITICALITY_ORDER: Record<Criticality, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

/**
 * Orders targets for waves: the least critical devices first (canaries), then a stable
 * pseudo-random order seeded by the rollout so each wave spreads across segments.
 */
export function orderTargets<T extends Pick<CandidateDevice, 'id' | 'criticality'>>(targets: T[], seed: string): T[] {
  const rank = new Map(targets.map((t) => [t.id, createHash('sha1').update(seed).update(t.id).digest('hex')]));
  return [...targets].sort(
    (a, b) => CRITICALITY_ORDER[a.criticality] - CRITICALITY_ORDER[b.criticality] || rank.get(a.id)!.localeCompare(rank.get(b.id)!),
  );
}

export interface PlannedWave {
  index: number;
  name: string;
  deviceIds: string[];
}

/**
 * Cuts the ordered targets into waves. Percentages are cumulative and round up (1% of 50 devices is
 * one device); explicit sizes take that many. Empty waves are dropped; devices left over after the
 * last wave join it, so every target is in exactly one wave.
 */
export function planWaves(orderedIds: string[], specs: WaveSpec[]): PlannedWave[] {
  const n = orderedIds.length;
  const waves: PlannedWave[] = [];
  let taken = 0;
  specs.forEach((spec, i) => {
    const upTo = 'percent' in spec ? Math.ceil((n * spec.percent) / 100) : taken + spec.size;
    const end = Math.min(n, Math.max(taken, upTo));
    if (end > taken) {
      const label = 'percent' in spec ? `${spec.percent}%` : `${spec.size} devices`;
      waves.push({ index: waves.length, name: spec.name ?? `wave ${i + 1} (${label})`, deviceIds: orderedIds.slice(taken, end) });
      taken = end;
    }
  });
  if (taken < n) {
    const last = waves.at(-1);
    if (last) last.deviceIds.push(...orderedIds.slice(taken));
    else waves.push({ index: 0, name: 'all', deviceIds: [...orderedIds] });
  }
  return waves;
}

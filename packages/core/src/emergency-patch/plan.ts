import { inAdvisoryRange } from '../blast-radius/advisory-match.js';
import type { AdvisoryRange } from '../blast-radius/types.js';
import { compareFirmware, firmwareKey } from '../fleet/firmware-version.js';

/** A device an emergency patch may target, most exposed first in the list it comes in. */
export interface PatchDevice {
  id: string;
  modelId: string;
  firmwareVersion: string | null;
  otaCapable: boolean;
  retired: boolean;
}

export interface PatchRelease {
  id: string;
  modelId: string;
  version: string;
}

export type PatchSkipReason =
  /** The model cannot be updated over the air. */
  | 'NOT_OTA_CAPABLE'
  | 'RETIRED'
  /** Its firmware is not in a range of the advisories being patched (or is at or past the release). */
  | 'NOT_AFFECTED'
  /** Its firmware version is unknown, so it cannot be told affected. */
  | 'UNKNOWN_VERSION'
  /** No release of its model fixes the advisories. */
  | 'NO_FIXED_RELEASE'
  /** The chosen release is for another model. */
  | 'WRONG_MODEL';

export interface PatchPlan {
  /** One group per release, in order of each group's most exposed device; devices keep their order. */
  groups: { release: PatchRelease; deviceIds: string[] }[];
  skipped: { deviceId: string; reason: PatchSkipReason }[];
}

/**
 * The release that fixes a model: the lowest release of that model that is in none of the
 * advisories' ranges and at or past every fix (past every `lastAffected`). The lowest such
 * release is the smallest change that closes the hole; null when no release does.
 */
export function fixedReleaseFor(modelId: string, ranges: readonly AdvisoryRange[], releases: readonly PatchRelease[]): PatchRelease | null {
  const mine = ranges.filter((r) => r.modelId === modelId);
  if (!mine.length) return null;
  // A range with neither a fix nor a last affected version has no way out (and a release below
  // `introduced` would be a downgrade, not a fix).
  const closes = (version: string, r: AdvisoryRange) =>
    !inAdvisoryRange(version, r) && (r.fixed ? compareFirmware(version, r.fixed) >= 0 : r.lastAffected ? compareFirmware(version, r.lastAffected) > 0 : false);
  const candidates = releases
    .filter((rel) => rel.modelId === modelId && firmwareKey(rel.version) !== null && mine.every((r) => closes(rel.version, r)))
    .sort((a, b) => compareFirmware(a.version, b.version));
  return candidates[0] ?? null;
}

/**
 * Plans an emergency patch (pure). `devices` come most exposed first and keep that order inside
 * each release's group.
 *
 * - With `release` given, devices of its model on an older version are targeted; others are
 *   skipped (WRONG_MODEL, NOT_AFFECTED at or past it, UNKNOWN_VERSION).
 * - Otherwise each device's model gets {@link fixedReleaseFor} the exploited advisories' ranges,
 *   and a device is targeted when its firmware is in one of those ranges.
 */
export function planEmergencyPatch(input: {
  devices: readonly PatchDevice[];
  /** Ranges of the advisories being patched (the incident's exploited advisories). */
  ranges: readonly AdvisoryRange[];
  releases: readonly PatchRelease[];
  release?: PatchRelease | null | undefined;
}): PatchPlan {
  const groups = new Map<string, { release: PatchRelease; deviceIds: string[] }>();
  const skipped: PatchPlan['skipped'] = [];
  const fixFor = new Map<string, PatchRelease | null>();
  const seen = new Set<string>();
  for (const d of input.devices) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    const skip = (reason: PatchSkipReason) => skipped.push({ deviceId: d.id, reason });
    if (d.retired) {
      skip('RETIRED');
      continue;
    }
    if (!d.otaCapable) {
      skip('NOT_OTA_CAPABLE');
      continue;
    }
    let release: PatchRelease | null;
    if (input.release) {
      release = input.release;
      if (d.modelId !== release.modelId) {
        skip('WRONG_MODEL');
        continue;
      }
      if (!d.firmwareVersion || firmwareKey(d.firmwareVersion) === null) {
        skip('UNKNOWN_VERSION');
        continue;
      }
      if (compareFirmware(d.firmwareVersion, release.version) >= 0) {
        skip('NOT_AFFECTED');
        continue;
      }
    } else {
      const mine = input.ranges.filter((r) => r.modelId === d.modelId);
      if (!mine.length) {
        skip('NOT_AFFECTED');
        continue;
      }
      if (!d.firmwareVersion || firmwareKey(d.firmwareVersion) === null) {
        skip('UNKNOWN_VERSION');
        continue;
      }
      if (!mine.some((r) => inAdvisoryRange(d.firmwareVersion, r))) {
        skip('NOT_AFFECTED');
        continue;
      }
      if (!fixFor.has(d.modelId)) fixFor.set(d.modelId, fixedReleaseFor(d.modelId, input.ranges, input.releases));
      release = fixFor.get(d.modelId)!;
      if (!release) {
        skip('NO_FIXED_RELEASE');
        continue;
      }
    }
    let g = groups.get(release.id);
    if (!g) groups.set(release.id, (g = { release, deviceIds: [] }));
    g.deviceIds.push(d.id);
  }
  return { groups: [...groups.values()], skipped };
}

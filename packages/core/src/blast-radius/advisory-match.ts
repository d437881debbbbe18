import { compareFirmware, firmwareKey } from '../fleet/firmware-version.js';
import type { AdvisoryRange, FleetDevice } from './types.js';

/** Whether a version falls in an affected range. An unparseable or missing version is not matched. */
export function inAdvisoryRange(version: string | null, r: AdvisoryRange): boolean {
  if (!version || firmwareKey(version) === null) return false;
  if (r.introduced && compareFirmware(version, r.introduced) < 0) return false;
  if (r.fixed) return compareFirmware(version, r.fixed) < 0;
  if (r.lastAffected) return compareFirmware(version, r.lastAffected) <= 0;
  return true;
}

/**
 * Indexes advisory ranges by model for repeated lookups; `affecting(device)` returns the open
 * advisories (one range each, deduplicated by advisory) a device's firmware is exposed to.
 */
export function advisoryIndex(ranges: readonly AdvisoryRange[]) {
  const byModel = new Map<string, AdvisoryRange[]>();
  for (const r of ranges) byModel.set(r.modelId, [...(byModel.get(r.modelId) ?? []), r]);
  const cache = new Map<string, AdvisoryRange[]>();
  return {
    affecting(d: Pick<FleetDevice, 'modelId' | 'firmwareVersion'>): AdvisoryRange[] {
      const key = `${d.modelId}\u0000${d.firmwareVersion ?? ''}`;
      let hit = cache.get(key);
      if (!hit) {
        const seen = new Set<string>();
        hit = (byModel.get(d.modelId) ?? []).filter((r) => inAdvisoryRange(d.firmwareVersion, r) && !seen.has(r.advisoryId) && seen.add(r.advisoryId));
        cache.set(key, hit);
      }
      return hit;
    },
  };
}

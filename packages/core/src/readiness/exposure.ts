import { advisoryIndex } from '../blast-radius/advisory-match.js';
import type { AdvisoryRange, FleetDevice } from '../blast-radius/types.js';

export interface AdvisoryExposure {
  advisoryId: string;
  externalId: string;
  severity: string;
  /** Devices whose firmware is in an affected range. */
  exposed: number;
  /** Of those, devices that cannot be updated over the air. */
  unpatchable: number;
  /** Of those, devices a fixed release exists for and that can take it. */
  patchableNow: number;
  bySegment: { segmentId: string | null; devices: number }[];
  byFirmware: { modelId: string; version: string; devices: number }[];
}

const countsOf = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]);

/** Per advisory: how many devices are exposed, where (segments), on which firmware, and how many can be patched now. */
export function advisoryExposure(devices: readonly FleetDevice[], ranges: readonly AdvisoryRange[]): AdvisoryExposure[] {
  const index = advisoryIndex(ranges);
  const out = new Map<string, { base: AdvisoryRange; exposed: number; unpatchable: number; patchableNow: number; seg: Map<string | null, number>; fw: Map<string, number> }>();
  for (const r of ranges) {
    if (!out.has(r.advisoryId)) out.set(r.advisoryId, { base: r, exposed: 0, unpatchable: 0, patchableNow: 0, seg: new Map(), fw: new Map() });
  }
  for (const d of devices) {
    for (const r of index.affecting(d)) {
      const a = out.get(r.advisoryId)!;
      a.exposed++;
      if (!d.otaCapable) a.unpatchable++;
      else if (r.fixAvailable) a.patchableNow++;
      a.seg.set(d.segmentId, (a.seg.get(d.segmentId) ?? 0) + 1);
      const fw = `${d.modelId}\u0000${d.firmwareVersion}`;
      a.fw.set(fw, (a.fw.get(fw) ?? 0) + 1);
    }
  }
  return [...out.values()]
    .map((a) => ({
      advisoryId: a.base.advisoryId,
      externalId: a.base.externalId,
      severity: a.base.severity,
      exposed: a.exposed,
      unpatchable: a.unpatchable,
      patchableNow: a.patchableNow,
      bySegment: countsOf(a.seg).map(([segmentId, n]) => ({ segmentId, devices: n })),
      byFirmware: countsOf(a.fw).map(([k, n]) => {
        const [modelId, version] = k.split('\u0000') as [string, string];
        return { modelId, version, devices: n };
      }),
    }))
    .sort((a, b) => b.exposed - a.exposed || a.externalId.localeCompare(b.externalId));
}

/** Devices that cannot be patched, in total and per segment. */
export function unpatchableDevices(devices: readonly FleetDevice[]): { total: number; bySegment: { segmentId: string | null; devices: number }[] } {
  const seg = new Map<string | null, number>();
  let total = 0;
  for (const d of devices) {
    if (d.otaCapable) continue;
    total++;
    seg.set(d.segmentId, (seg.get(d.segmentId) ?? 0) + 1);
  }
  return { total, bySegment: countsOf(seg).map(([segmentId, n]) => ({ segmentId, devices: n })) };
}

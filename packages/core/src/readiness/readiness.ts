import { advisoryIndex } from '../blast-radius/advisory-match.js';
import type { AdvisoryRange, FleetDevice } from '../blast-radius/types.js';
import { advisoryExposure, unpatchableDevices, type AdvisoryExposure } from './exposure.js';
import { wormReach, type SegmentLink, type WormReach } from './worm-reach.js';

export interface SegmentReadiness {
  segmentId: string;
  devices: number;
  /** Devices here exposed to at least one open advisory. */
  vulnerable: number;
  /** A worm starting here that carries every known exploit. */
  anyAdvisory: WormReach;
  /** The single advisory whose worm would reach most devices from here. */
  worstAdvisory: (WormReach & { externalId: string }) | null;
}

export interface Readiness {
  advisories: AdvisoryExposure[];
  unpatchable: ReturnType<typeof unpatchableDevices>;
  /** Segments ordered by how many devices a worm starting there could reach. */
  segments: SegmentReadiness[];
  /**
   * "How many of our devices would suffer at the same time": the worst start segment for a worm
   * carrying every known exploit, and how many of the reached devices cannot be patched.
   */
  simultaneous: { devices: number; unpatchable: number; startSegment: string | null; segments: string[] };
}

/** The readiness picture before any attack, from the registry, the open advisories and segment reachability. */
export function computeReadiness(input: { devices: readonly FleetDevice[]; advisories: readonly AdvisoryRange[]; links: readonly SegmentLink[] }): Readiness {
  const index = advisoryIndex(input.advisories);
  const total = new Map<string, number>();
  const anyVuln = new Map<string, number>();
  const unpatchableVuln = new Map<string, number>();
  const perAdvisory = new Map<string, { externalId: string; bySegment: Map<string, number> }>();
  for (const d of input.devices) {
    if (!d.segmentId) continue;
    total.set(d.segmentId, (total.get(d.segmentId) ?? 0) + 1);
    const affecting = index.affecting(d);
    if (affecting.length === 0) continue;
    anyVuln.set(d.segmentId, (anyVuln.get(d.segmentId) ?? 0) + 1);
    if (!d.otaCapable) unpatchableVuln.set(d.segmentId, (unpatchableVuln.get(d.segmentId) ?? 0) + 1);
    for (const a of affecting) {
      let e = perAdvisory.get(a.advisoryId);
      if (!e) perAdvisory.set(a.advisoryId, (e = { externalId: a.externalId, bySegment: new Map() }));
      e.bySegment.set(d.segmentId, (e.bySegment.get(d.segmentId) ?? 0) + 1);
    }
  }
  const segmentIds = [...new Set([...total.keys(), ...input.links.flatMap((l) => [l.from, l.to])])].sort();
  const segments = segmentIds
    .map((segmentId): SegmentReadiness => {
      let worst: SegmentReadiness['worstAdvisory'] = null;
      for (const a of perAdvisory.values()) {
        const r = wormReach(segmentId, a.bySegment, input.links);
        if (r.devices > 0 && (!worst || r.devices > worst.devices)) worst = { ...r, externalId: a.externalId };
      }
      return { segmentId, devices: total.get(segmentId) ?? 0, vulnerable: anyVuln.get(segmentId) ?? 0, anyAdvisory: wormReach(segmentId, anyVuln, input.links), worstAdvisory: worst };
    })
    .sort((a, b) => b.anyAdvisory.devices - a.anyAdvisory.devices || a.segmentId.localeCompare(b.segmentId));
  const top = segments[0];
  return {
    advisories: advisoryExposure(input.devices, input.advisories),
    unpatchable: unpatchableDevices(input.devices),
    segments,
    simultaneous: top
      ? {
          devices: top.anyAdvisory.devices,
          unpatchable: top.anyAdvisory.segments.reduce((n, s) => n + (unpatchableVuln.get(s) ?? 0), 0),
          startSegment: top.segmentId,
          segments: top.anyAdvisory.segments.filter((s) => (anyVuln.get(s) ?? 0) > 0),
        }
      : { devices: 0, unpatchable: 0, startSegment: null, segments: [] },
  };
}

import { advisoryIndex } from '../blast-radius/advisory-match.js';
import type { AdvisoryRange, FleetDevice } from '../blast-radius/types.js';
import { advisoryExposure, type AdvisoryExposure, type unpatchableDevices } from './exposure.js';
import { segmentGraph, wormReach, type SegmentLink, type WormReach } from './worm-reach.js';

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

/** What readiness is computed from: exposure per advisory, device counts per segment, segment links. */
export interface ReadinessCounts {
  advisories: AdvisoryExposure[];
  /** Per segment (null: devices without one). */
  segments: { segmentId: string | null; devices: number; unpatchable: number; vulnerable: number; vulnerableUnpatchable: number }[];
  links: readonly SegmentLink[];
}

const bySizeThenId = (a: { segmentId: string | null; devices: number }, b: { segmentId: string | null; devices: number }) =>
  b.devices - a.devices || (a.segmentId === null ? 1 : b.segmentId === null ? -1 : a.segmentId.localeCompare(b.segmentId));

/**
 * The readiness picture from aggregates (what `queryReadinessAggregates` returns, so the fleet
 * never has to be loaded row by row): worm reach per segment, overall and per advisory, and the
 * worst case.
 */
export function readinessFromCounts(c: ReadinessCounts): Readiness {
  const total = new Map<string, number>();
  const anyVuln = new Map<string, number>();
  const unpatchableVuln = new Map<string, number>();
  for (const s of c.segments) {
    if (!s.segmentId) continue;
    total.set(s.segmentId, s.devices);
    if (s.vulnerable) anyVuln.set(s.segmentId, s.vulnerable);
    if (s.vulnerableUnpatchable) unpatchableVuln.set(s.segmentId, s.vulnerableUnpatchable);
  }
  const perAdvisory = c.advisories
    .filter((a) => a.exposed > 0)
    .map((a) => ({ externalId: a.externalId, bySegment: new Map(a.bySegment.filter((s) => s.segmentId !== null).map((s) => [s.segmentId!, s.devices])) }));
  const segmentIds = [...new Set([...total.keys(), ...c.links.flatMap((l) => [l.from, l.to])])].sort();
  const graph = segmentGraph(c.links);
  const segments = segmentIds
    .map((segmentId): SegmentReadiness => {
      let worst: SegmentReadiness['worstAdvisory'] = null;
      for (const a of perAdvisory) {
        const r = wormReach(segmentId, a.bySegment, graph);
        if (r.devices > 0 && (!worst || r.devices > worst.devices || (r.devices === worst.devices && a.externalId < worst.externalId))) worst = { ...r, externalId: a.externalId };
      }
      return { segmentId, devices: total.get(segmentId) ?? 0, vulnerable: anyVuln.get(segmentId) ?? 0, anyAdvisory: wormReach(segmentId, anyVuln, graph), worstAdvisory: worst };
    })
    .sort((a, b) => b.anyAdvisory.devices - a.anyAdvisory.devices || a.segmentId.localeCompare(b.segmentId));
  const top = segments[0];
  const unpatchable = c.segments.filter((s) => s.unpatchable > 0).map((s) => ({ segmentId: s.segmentId, devices: s.unpatchable }));
  return {
    advisories: [...c.advisories]
      .map((a) => ({ ...a, bySegment: [...a.bySegment].sort(bySizeThenId), byFirmware: [...a.byFirmware].sort((x, y) => y.devices - x.devices || x.modelId.localeCompare(y.modelId) || x.version.localeCompare(y.version)) }))
      .sort((a, b) => b.exposed - a.exposed || a.externalId.localeCompare(b.externalId)),
    unpatchable: { total: unpatchable.reduce((n, s) => n + s.devices, 0), bySegment: unpatchable.sort(bySizeThenId) },
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

/** The readiness picture before any attack, from the registry, the open advisories and segment reachability (in memory). */
export function computeReadiness(input: { devices: readonly FleetDevice[]; advisories: readonly AdvisoryRange[]; links: readonly SegmentLink[] }): Readiness {
  const index = advisoryIndex(input.advisories);
  const seg = new Map<string | null, ReadinessCounts['segments'][number]>();
  for (const d of input.devices) {
    let s = seg.get(d.segmentId);
    if (!s) seg.set(d.segmentId, (s = { segmentId: d.segmentId, devices: 0, unpatchable: 0, vulnerable: 0, vulnerableUnpatchable: 0 }));
    s.devices++;
    if (!d.otaCapable) s.unpatchable++;
    if (index.affecting(d).length === 0) continue;
    s.vulnerable++;
    if (!d.otaCapable) s.vulnerableUnpatchable++;
  }
  return readinessFromCounts({ advisories: advisoryExposure(input.devices, input.advisories), segments: [...seg.values()], links: input.links });
}

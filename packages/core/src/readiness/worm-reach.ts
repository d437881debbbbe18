/** Traffic from devices of `from` can reach devices of `to` (firewall policy, or contacts seen between them). */
export interface SegmentLink {
  from: string;
  to: string;
}

export interface WormReach {
  startSegment: string;
  /** Vulnerable devices the worm would infect. */
  devices: number;
  /** Segments it would get a foothold in, the start first, then in the order reached. */
  segments: string[];
}

/**
 * How far a worm gets from one segment: it is assumed to enter there (a compromised laptop, a
 * bad USB stick), infects every vulnerable device of a segment it reaches, and spreads on from a
 * segment only through a device it infected (or from the entry point). A segment with no
 * vulnerable device is a dead end. Links are directed; a segment always reaches itself.
 */
export function wormReach(startSegment: string, vulnerableBySegment: ReadonlyMap<string, number>, links: readonly SegmentLink[] | SegmentGraph): WormReach {
  const out: SegmentGraph = Array.isArray(links) ? segmentGraph(links as readonly SegmentLink[]) : (links as SegmentGraph);
  const segments = [startSegment];
  const seen = new Set(segments);
  let devices = vulnerableBySegment.get(startSegment) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const from = segments[i]!;
    if (i > 0 && (vulnerableBySegment.get(from) ?? 0) === 0) continue;
    for (const to of out.get(from) ?? []) {
      if (seen.has(to)) continue;
      seen.add(to);
      const n = vulnerableBySegment.get(to) ?? 0;
      if (n === 0) continue;
      devices += n;
      segments.push(to);
    }
  }
  return { startSegment, devices, segments };
}

/** Links by source segment, built once for many {@link wormReach} calls. */
export type SegmentGraph = ReadonlyMap<string, readonly string[]>;

export function segmentGraph(links: readonly SegmentLink[]): SegmentGraph {
  const out = new Map<string, string[]>();
  for (const l of links) {
    if (l.from === l.to) continue;
    const list = out.get(l.from);
    if (list) list.push(l.to);
    else out.set(l.from, [l.to]);
  }
  return out;
}

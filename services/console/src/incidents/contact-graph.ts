/** One device in the contact graph: a compromised one (hops 0) or one reached over contacts. */
export interface GraphNodeInput {
  id: string;
  label: string;
  /** 0 for a compromised device, else hops from the nearest compromised one. */
  hops: number;
  /** The neighbour one hop closer (absent for compromised devices). */
  via?: string | null;
  /** The closer neighbour opened connections to this one (how a worm spreads). */
  contactedBy?: boolean;
  /** This one opened connections to the closer neighbour. */
  contacted?: boolean;
  tier?: number;
}

export interface GraphNode extends GraphNodeInput {
  x: number;
  y: number;
  angle: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The arrow points the way connections were opened; both ways when both ends opened some. */
  direction: 'forward' | 'backward' | 'both';
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Devices left out to keep the picture legible (the ranked list still has them). */
  hidden: number;
  size: number;
}

/**
 * Lays out who contacted whom around the compromised devices: compromised devices in the middle,
 * then one ring per hop, each device placed near the neighbour it was reached through so edges stay
 * short and rarely cross. At most `limit` devices are drawn, nearest first.
 */
export function layoutContactGraph(input: readonly GraphNodeInput[], opts: { size?: number; limit?: number } = {}): GraphLayout {
  const size = opts.size ?? 520;
  const limit = opts.limit ?? 60;
  const ordered = [...input].sort((a, b) => a.hops - b.hops || (a.tier ?? 9) - (b.tier ?? 9) || a.id.localeCompare(b.id));
  const kept: GraphNodeInput[] = [];
  const keptIds = new Set<string>();
  for (const n of ordered) {
    if (kept.length >= limit) break;
    // A device is drawn only when the one it was reached through is drawn too.
    if (n.hops > 0 && (!n.via || !keptIds.has(n.via))) continue;
    kept.push(n);
    keptIds.add(n.id);
  }
  const maxHops = Math.max(0, ...kept.map((n) => n.hops));
  const center = size / 2;
  const byHops = new Map<number, GraphNodeInput[]>();
  for (const n of kept) byHops.set(n.hops, [...(byHops.get(n.hops) ?? []), n]);
  // Several compromised devices sit on a small inner ring; one sits in the middle.
  const inner = (byHops.get(0)?.length ?? 0) > 1 ? 0.5 : 0;
  // The outer ring leaves room for labels.
  const ringGap = (size / 2 - 64) / Math.max(1, maxHops + inner);
  const placed = new Map<string, GraphNode>();

  for (const hops of [...byHops.keys()].sort((a, b) => a - b)) {
    const ring = byHops.get(hops)!;
    if (hops > 0) ring.sort((a, b) => (placed.get(a.via!)?.angle ?? 0) - (placed.get(b.via!)?.angle ?? 0) || a.id.localeCompare(b.id));
    const radius = ringGap * (hops + inner);
    ring.forEach((n, i) => {
      const angle = (2 * Math.PI * i) / ring.length - Math.PI / 2;
      placed.set(n.id, { ...n, angle, x: center + radius * Math.cos(angle), y: center + radius * Math.sin(angle) });
    });
  }
  const nodes = kept.map((n) => placed.get(n.id)!);
  const edges: GraphEdge[] = nodes
    .filter((n) => n.hops > 0 && n.via)
    .map((n) => ({ from: n.via!, to: n.id, direction: n.contactedBy && n.contacted ? 'both' : n.contacted ? 'backward' : 'forward' }));
  return { nodes, edges, hidden: input.length - kept.length, size };
}

import { z } from 'zod';
import { canonicalIp } from '../detection/ip.js';
import { advisoryIndex } from './advisory-match.js';
import type { AdvisoryRange, ContactEdge, FleetDevice } from './types.js';

export type BlastReason =
  | {
      kind: 'CONTACTED';
      /** Hops from the nearest compromised device over the contact graph (either direction). */
      hops: number;
      /** The neighbour one hop closer to the compromised devices. */
      via: string;
      /** The closer neighbour opened connections to this device (how a worm spreads) ... */
      contactedBy: boolean;
      /** ... and/or this device opened connections to it. */
      contacted: boolean;
      count: number;
      bytes: number;
    }
  | { kind: 'SAME_SEGMENT'; segmentId: string }
  | { kind: 'VULNERABLE_FIRMWARE'; advisories: string[]; fixAvailable: boolean }
  | { kind: 'SAME_FIRMWARE'; modelId: string; version: string }
  | { kind: 'UNPATCHABLE' };

export interface BlastRadiusEntry {
  deviceId: string;
  segmentId: string | null;
  /** 1 (most exposed) to 4; see {@link computeBlastRadius}. */
  tier: 1 | 2 | 3 | 4;
  /** Orders devices within a tier; higher is more exposed. */
  score: number;
  reasons: BlastReason[];
}

export interface BlastRadius {
  compromised: string[];
  entries: BlastRadiusEntry[];
  total: number;
  byTier: Record<1 | 2 | 3 | 4, number>;
  bySegment: { segmentId: string | null; total: number; byTier: Record<1 | 2 | 3 | 4, number> }[];
  /** Open advisories of the compromised devices' firmware (what a worm would exploit next). */
  exploitedAdvisories: string[];
}

export const blastRadiusOptionsSchema = z.strictObject({
  /** How far over the contact graph to follow (1 = direct contacts only). */
  maxHops: z.int().min(1).max(6).default(2),
  /** Include devices whose only exposure is that they cannot be patched (tier 4). */
  includeUnpatchable: z.boolean().default(true),
});
export type BlastRadiusOptions = z.output<typeof blastRadiusOptionsSchema>;

export interface BlastRadiusInput {
  compromised: readonly string[];
  devices: readonly FleetDevice[];
  contacts: readonly ContactEdge[];
  advisories: readonly AdvisoryRange[];
}

/** A contact seen from one end (x) about the other (y). */
interface Link {
  xOpened: boolean;
  yOpened: boolean;
  count: number;
  bytes: number;
}

/**
 * Ranks the rest of the fleet by exposure to a set of compromised devices.
 *
 * - Tier 1: in direct contact with a compromised device (either direction).
 * - Tier 2: reached over the contact graph in 2..maxHops hops, or on a compromised device's
 *   segment AND exposed to the advisories the compromised devices carry (a worm's next victims).
 * - Tier 3: on a compromised device's segment, or running firmware with those advisories (or, when
 *   the compromised devices have no known advisory, the very same model and version) elsewhere.
 * - Tier 4: otherwise unrelated but cannot be patched.
 *
 * Every entry lists all its reasons, not only the one that set its tier.
 */
export function computeBlastRadius(input: BlastRadiusInput, options: Partial<BlastRadiusOptions> = {}): BlastRadius {
  const opts = blastRadiusOptionsSchema.parse(options);
  const byId = new Map(input.devices.map((d) => [d.id, d]));
  const compromised = [...new Set(input.compromised)].filter((id) => byId.has(id));
  const compromisedSet = new Set(compromised);
  const byIp = new Map<string, string>();
  for (const d of input.devices) {
    const ip = d.ip ? canonicalIp(d.ip) : null;
    if (ip) byIp.set(ip, d.id);
  }

  // Undirected adjacency (x → y → link); each side remembers who opened connections to whom.
  const adj = new Map<string, Map<string, Link>>();
  const link = (x: string, y: string) => {
    let m = adj.get(x);
    if (!m) adj.set(x, (m = new Map()));
    let l = m.get(y);
    if (!l) m.set(y, (l = { xOpened: false, yOpened: false, count: 0, bytes: 0 }));
    return l;
  };
  for (const e of input.contacts) {
    const peer = e.peerDeviceId ?? byIp.get(canonicalIp(e.peerIp) ?? '');
    if (!peer || peer === e.deviceId || !byId.has(e.deviceId) || !byId.has(peer)) continue;
    const fromDevice = link(e.deviceId, peer);
    fromDevice.xOpened = true;
    fromDevice.count += e.count;
    fromDevice.bytes += e.bytes;
    const fromPeer = link(peer, e.deviceId);
    fromPeer.yOpened = true;
    fromPeer.count += e.count;
    fromPeer.bytes += e.bytes;
  }

  const reached = new Map<string, Extract<BlastReason, { kind: 'CONTACTED' }>>();
  let frontier = compromised;
  for (let hops = 1; hops <= opts.maxHops && frontier.length; hops++) {
    const next: string[] = [];
    for (const from of frontier) {
      for (const [to, l] of adj.get(from) ?? []) {
        if (compromisedSet.has(to)) continue;
        const prev = reached.get(to);
        // Of several neighbours at the same distance, the busiest link is reported as `via`.
        if (prev && (prev.hops < hops || prev.count >= l.count)) continue;
        if (!prev) next.push(to);
        reached.set(to, { kind: 'CONTACTED', hops, via: from, contactedBy: l.xOpened, contacted: l.yOpened, count: l.count, bytes: l.bytes });
      }
    }
    frontier = next;
  }

  const advisories = advisoryIndex(input.advisories);
  const exploited = new Map<string, string>();
  const compromisedFirmware = new Set<string>();
  const compromisedSegments = new Set<string>();
  for (const id of compromised) {
    const d = byId.get(id)!;
    for (const a of advisories.affecting(d)) exploited.set(a.advisoryId, a.externalId);
    if (d.firmwareVersion) compromisedFirmware.add(`${d.modelId}\u0000${d.firmwareVersion}`);
    if (d.segmentId) compromisedSegments.add(d.segmentId);
  }

  const entries: BlastRadiusEntry[] = [];
  for (const d of input.devices) {
    if (compromisedSet.has(d.id)) continue;
    const reasons: BlastReason[] = [];
    let score = 0;
    const contact = reached.get(d.id);
    if (contact) {
      reasons.push(contact);
      score += 100 / contact.hops + 5 * Math.log10(1 + contact.count) + (contact.contactedBy ? 10 : 0);
    }
    const sameSegment = d.segmentId !== null && compromisedSegments.has(d.segmentId);
    if (sameSegment) {
      reasons.push({ kind: 'SAME_SEGMENT', segmentId: d.segmentId! });
      score += 20;
    }
    const shared = advisories.affecting(d).filter((a) => exploited.has(a.advisoryId));
    let vulnerable = false;
    if (shared.length) {
      vulnerable = true;
      const fixAvailable = shared.every((a) => a.fixAvailable);
      reasons.push({ kind: 'VULNERABLE_FIRMWARE', advisories: shared.map((a) => a.externalId).sort(), fixAvailable });
      score += 30 + (fixAvailable ? 0 : 10);
    } else if (exploited.size === 0 && d.firmwareVersion && compromisedFirmware.has(`${d.modelId}\u0000${d.firmwareVersion}`)) {
      vulnerable = true;
      reasons.push({ kind: 'SAME_FIRMWARE', modelId: d.modelId, version: d.firmwareVersion });
      score += 25;
    }
    if (!d.otaCapable) {
      reasons.push({ kind: 'UNPATCHABLE' });
      score += 15;
    }
    let tier: BlastRadiusEntry['tier'];
    if (contact?.hops === 1) tier = 1;
    else if (contact || (sameSegment && vulnerable)) tier = 2;
    else if (sameSegment || vulnerable) tier = 3;
    else if (!d.otaCapable && opts.includeUnpatchable) tier = 4;
    else continue;
    entries.push({ deviceId: d.id, segmentId: d.segmentId, tier, score: Math.round(score * 100) / 100, reasons });
  }
  entries.sort((a, b) => a.tier - b.tier || b.score - a.score || (a.deviceId < b.deviceId ? -1 : 1));

  const zero = () => ({ 1: 0, 2: 0, 3: 0, 4: 0 }) as Record<1 | 2 | 3 | 4, number>;
  const byTier = zero();
  const segs = new Map<string | null, { segmentId: string | null; total: number; byTier: Record<1 | 2 | 3 | 4, number> }>();
  for (const e of entries) {
    byTier[e.tier]++;
    let s = segs.get(e.segmentId);
    if (!s) segs.set(e.segmentId, (s = { segmentId: e.segmentId, total: 0, byTier: zero() }));
    s.total++;
    s.byTier[e.tier]++;
  }
  return {
    compromised,
    entries,
    total: entries.length,
    byTier,
    bySegment: [...segs.values()].sort((a, b) => b.total - a.total || String(a.segmentId).localeCompare(String(b.segmentId))),
    exploitedAdvisories: [...exploited.values()].sort(),
  };
}

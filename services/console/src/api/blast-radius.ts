import type { BlastReason } from '../incidents/blast-reasons.js';
import { DEVICE_FIELDS, type IncidentDevice } from './incidents.js';

export type Tier = 1 | 2 | 3 | 4;

export interface BlastDevice {
  device: IncidentDevice;
  tier: Tier;
  score: number;
  reasons: BlastReason[];
}

export interface BlastRadiusView {
  total: number;
  byTier: Record<Tier, number>;
  bySegment: { segment: { id: string; name: string } | null; total: number; byTier: Record<Tier, number> }[];
  exploitedAdvisories: string[];
  compromised: IncidentDevice[];
  devices: BlastDevice[];
  /** Names the reasons refer to (neighbours, segments), from the api's answer. */
  names: { devices: Map<string, string>; segments: Map<string, string> };
}

export const BLAST_RADIUS = /* GraphQL */ `
  query ConsoleBlastRadius($incidentId: ID!, $maxHops: Int, $first: Int, $after: String) {
    blastRadius(incidentId: $incidentId, maxHops: $maxHops, first: $first, after: $after) {
      total
      tiers { tier devices }
      bySegment { segment { id name } total tier1 tier2 tier3 tier4 }
      exploitedAdvisories
      compromised { ${DEVICE_FIELDS} }
      devices {
        nodes {
          tier
          score
          device { ${DEVICE_FIELDS} }
          reasons { kind hops via viaDevice { id name } contactedBy contacted count bytes segmentId segment { id name } advisories fixAvailable modelId version }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

interface ReasonOut {
  kind: BlastReason['kind'];
  hops: number | null;
  via: string | null;
  viaDevice: { id: string; name: string } | null;
  contactedBy: boolean | null;
  contacted: boolean | null;
  count: number | null;
  bytes: number | null;
  segmentId: string | null;
  segment: { id: string; name: string } | null;
  advisories: string[] | null;
  fixAvailable: boolean | null;
  modelId: string | null;
  version: string | null;
}

export interface BlastRadiusResult {
  blastRadius: {
    total: number;
    tiers: { tier: number; devices: number }[];
    bySegment: { segment: { id: string; name: string } | null; total: number; tier1: number; tier2: number; tier3: number; tier4: number }[];
    exploitedAdvisories: string[];
    compromised: IncidentDevice[];
    devices: { nodes: { tier: number; score: number; device: IncidentDevice; reasons: ReasonOut[] }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
}

/** The api's flat reason (fields that do not apply are null) as the console's union. */
export function toReason(r: ReasonOut): BlastReason {
  switch (r.kind) {
    case 'CONTACTED':
      return { kind: r.kind, hops: r.hops ?? 1, via: r.via ?? '', contactedBy: r.contactedBy ?? false, contacted: r.contacted ?? false, count: r.count ?? 0, bytes: r.bytes ?? 0 };
    case 'SAME_SEGMENT':
      return { kind: r.kind, segmentId: r.segmentId ?? '' };
    case 'VULNERABLE_FIRMWARE':
      return { kind: r.kind, advisories: r.advisories ?? [], fixAvailable: r.fixAvailable ?? false };
    case 'SAME_FIRMWARE':
      return { kind: r.kind, modelId: r.modelId ?? '', version: r.version ?? '' };
    case 'UNPATCHABLE':
      return { kind: r.kind };
  }
}

const asTier = (n: number): Tier => (n >= 1 && n <= 4 ? (n as Tier) : 4);

/** Pages of the api's answer as one view (counts from the first page, devices from all). */
export function toBlastView(pages: readonly BlastRadiusResult['blastRadius'][]): BlastRadiusView {
  const first = pages[0]!;
  const byTier: Record<Tier, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
  for (const t of first.tiers) byTier[asTier(t.tier)] = t.devices;
  const names = { devices: new Map<string, string>(), segments: new Map<string, string>() };
  const devices: BlastDevice[] = [];
  for (const d of first.compromised) names.devices.set(d.id, d.name);
  for (const p of pages) {
    for (const n of p.devices.nodes) {
      names.devices.set(n.device.id, n.device.name);
      if (n.device.segment) names.segments.set(n.device.segment.id, n.device.segment.name);
      for (const r of n.reasons) {
        if (r.viaDevice) names.devices.set(r.viaDevice.id, r.viaDevice.name);
        if (r.segment) names.segments.set(r.segment.id, r.segment.name);
      }
      devices.push({ device: n.device, tier: asTier(n.tier), score: n.score, reasons: n.reasons.map(toReason) });
    }
  }
  return {
    total: first.total,
    byTier,
    bySegment: first.bySegment.map((s) => ({ segment: s.segment, total: s.total, byTier: { 1: s.tier1, 2: s.tier2, 3: s.tier3, 4: s.tier4 } })),
    exploitedAdvisories: first.exploitedAdvisories,
    compromised: first.compromised,
    devices,
    names,
  };
}

/** Why a device is in the blast radius (core/blast-radius BlastReason, as the api returns it). */
export type BlastReason =
  | { kind: 'CONTACTED'; hops: number; via: string; contactedBy: boolean; contacted: boolean; count: number; bytes: number }
  | { kind: 'SAME_SEGMENT'; segmentId: string }
  | { kind: 'VULNERABLE_FIRMWARE'; advisories: string[]; fixAvailable: boolean }
  | { kind: 'SAME_FIRMWARE'; modelId: string; version: string }
  | { kind: 'UNPATCHABLE' };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * One reason in words, naming devices and segments where the caller knows them:
 * "contacted by Hub 0010 (24 connections)", "2 hops from Hub 0010", "runs firmware with CVE-2026-1 (fix available)".
 */
export function describeReason(r: BlastReason, names: { device(id: string): string | undefined; segment(id: string): string | undefined }): string {
  switch (r.kind) {
    case 'CONTACTED': {
      const via = names.device(r.via) ?? 'a compromised device';
      const how = r.contactedBy && r.contacted ? 'in two-way contact with' : r.contactedBy ? 'contacted by' : 'contacted';
      const traffic = r.count ? ` (${plural(r.count, 'connection')})` : '';
      return r.hops > 1 ? `${r.hops} hops out: ${how} ${via}${traffic}` : `${how} ${via}${traffic}`;
    }
    case 'SAME_SEGMENT':
      return `on ${names.segment(r.segmentId) ?? 'the same segment'}`;
    case 'VULNERABLE_FIRMWARE':
      return `runs firmware with ${r.advisories.join(', ')}${r.fixAvailable ? ' (fix available)' : ' (no fix yet)'}`;
    case 'SAME_FIRMWARE':
      return `same model and firmware ${r.version}`;
    case 'UNPATCHABLE':
      return 'cannot be updated over the air';
  }
}

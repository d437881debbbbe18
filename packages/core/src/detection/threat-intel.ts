import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseCidr, parseIp } from './ip.js';

/** An indicator as admins enter it (API input). */
export const threatIntelInputSchema = z.strictObject({
  value: z
    .string()
    .trim()
    .refine((s) => parseCidr(s) !== null, 'must be an IPv4/IPv6 address or CIDR, e.g. 198.51.100.7 or 2001:db8::/32')
    .refine((s) => (parseCidr(s)?.bits ?? 1) > 0, 'a /0 would match every address'),
  label: z.string().max(200).optional(),
  /** Feed or report it came from. */
  source: z.string().max(200).optional(),
});

/** One indicator on the admins' threat-intel list. */
export interface ThreatIntelEntry {
  id: string;
  /** An IPv4/IPv6 address or CIDR. */
  value: string;
  label?: string | undefined;
}

export interface ThreatIntelHit {
  entry: ThreatIntelEntry;
  ip: string;
}

/**
 * A compiled threat-intel list: a lookup costs one hash probe per distinct prefix length on the
 * list (a handful), not one comparison per entry, so a list of 100,000 indicators stays cheap.
 */
export interface ThreatIntelMatcher {
  size: number;
  match(ip: string): ThreatIntelHit | null;
}

export function compileThreatIntel(entries: readonly ThreatIntelEntry[]): ThreatIntelMatcher {
  // kind → prefix length → network address text → entry; longer prefixes are tried first.
  const byKind = { ipv4: new Map<number, Map<string, ThreatIntelEntry>>(), ipv6: new Map<number, Map<string, ThreatIntelEntry>>() };
  let size = 0;
  for (const entry of entries) {
    const c = parseCidr(entry.value.trim());
    if (!c) continue;
    const kind = c.addr.kind();
    const net = networkOf(c.addr, c.bits);
    const table = byKind[kind];
    let level = table.get(c.bits);
    if (!level) table.set(c.bits, (level = new Map()));
    if (!level.has(net)) {
      level.set(net, entry);
      size++;
    }
  }
  const ordered = {
    ipv4: [...byKind.ipv4.entries()].sort((a, b) => b[0] - a[0]),
    ipv6: [...byKind.ipv6.entries()].sort((a, b) => b[0] - a[0]),
  };
  return {
    size,
    match(text: string) {
      const ip = parseIp(text);
      if (!ip) return null;
      for (const [bits, level] of ordered[ip.kind()]) {
        const entry = level.get(networkOf(ip, bits));
        if (entry) return { entry, ip: ip.toString() };
      }
      return null;
    },
  };
}

function networkOf(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  const bytes = addr.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

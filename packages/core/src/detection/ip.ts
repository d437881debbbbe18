import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses an address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes the IPv4 address. Null when invalid. */
export function parseIp(text: string): Addr | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Canonical text of an address (so `::FFFF:10.0.0.1`, `10.0.0.1` and `fe80::0:1`/`fe80::1` compare equal). */
export function canonicalIp(text: string): string | null {
  return parseIp(text)?.toString() ?? null;
}

/** A parsed CIDR (or a single address as /32, /128). */
export interface Cidr {
  text: string;
  addr: Addr;
  bits: number;
}

export function parseCidr(text: string): Cidr | null {
  try {
    if (text.includes('/')) {
      const [a, bits] = ipaddr.parseCIDR(text);
      const addr = a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96 ? (a as ipaddr.IPv6).toIPv4Address() : a;
      return { text, addr, bits: addr.kind() === a.kind() ? bits : bits - 96 };
    }
    const addr = parseIp(text);
    return addr ? { text, addr, bits: addr.kind() === 'ipv4' ? 32 : 128 } : null;
  } catch {
    return null;
  }
}

export function cidrContains(cidr: Cidr, ip: Addr): boolean {
  if (cidr.addr.kind() !== ip.kind()) return false;
  return (ip as ipaddr.IPv4).match(cidr.addr as ipaddr.IPv4, cidr.bits);
}

/**
 * Whether an address stays inside the office: RFC 1918, loopback, link-local, IPv6 unique-local,
 * CGNAT, or one of the extra `internal` CIDRs. Everything else is "the internet".
 */
export function isInternalIp(ip: Addr, internal: readonly Cidr[] = []): boolean {
  const range = ip.range();
  if (['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat'].includes(range)) return true;
  return internal.some((c) => cidrContains(c, ip));
}

/** Multicast, broadcast and unspecified addresses: local discovery (SSDP, mDNS), not a destination on the internet. */
export function isLocalScope(ip: Addr): boolean {
  return ['multicast', 'broadcast', 'unspecified'].includes(ip.range());
}

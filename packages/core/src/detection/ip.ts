import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parsed addresses by their text. Detection parses every peer of every flow, and a fleet talks to
 * the same few thousand addresses over and over; parsing is most of the rules' cost. Bounded:
 * when full it starts over.
 */
const parsed = new Map<string, Addr | null>();
const PARSED_MAX = 50_000;
/** Range names (`private`, `multicast`, ...) of parsed addresses: `range()` walks a table each call. */
const ranges = new WeakMap<Addr, string>();

/**
 * Parses an address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes the IPv4 address. Null when invalid.
 * The same text yields the same (shared) object: callers read it, never change it.
 */
export function parseIp(text: string): Addr | null {
  let a = parsed.get(text);
  if (a !== undefined) return a;
  a = parseUncached(text);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, a);
  return a;
}

function parseUncached(text: string): Addr | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

function rangeOf(ip: Addr): string {
  let r = ranges.get(ip);
  if (r === undefined) ranges.set(ip, (r = ip.range()));
  return r;
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
const INTERNAL_RANGES = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);
const LOCAL_SCOPE_RANGES = new Set(['multicast', 'broadcast', 'unspecified']);

export function isInternalIp(ip: Addr, internal: readonly Cidr[] = []): boolean {
  if (INTERNAL_RANGES.has(rangeOf(ip))) return true;
  return internal.some((c) => cidrContains(c, ip));
}

/** Multicast, broadcast and unspecified addresses: local discovery (SSDP, mDNS), not a destination on the internet. */
export function isLocalScope(ip: Addr): boolean {
  return LOCAL_SCOPE_RANGES.has(rangeOf(ip));
}

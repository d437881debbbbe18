import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { ValidationError } from '../errors.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../detection/ip.js';

/**
 * Where webhooks may go (SSRF policy). A webhook URL is chosen by an admin but fetched by Warden
 * from inside the office network, so:
 * - only `http:` and `https:` URLs, without credentials in them, up to 2,000 characters;
 * - the host must resolve to public unicast addresses only: loopback, private (RFC 1918), CGNAT,
 *   link-local (cloud metadata at 169.254.169.254), unique-local, multicast, unspecified, reserved
 *   and IPv6 transition forms are refused unless their network is listed in WEBHOOK_ALLOW_NETWORKS;
 * - the address is checked when connecting, and the connection goes to the address that was
 *   checked (no second lookup, so DNS rebinding gains nothing); a name with any refused address
 *   among its answers is refused;
 * - redirects are not followed (a 3xx answer is a failed attempt).
 */
export interface UrlPolicy {
  allowNetworks: readonly Cidr[];
}

export function createUrlPolicy(allowNetworks: readonly string[]): UrlPolicy {
  return {
    allowNetworks: allowNetworks.map((text) => {
      const c = parseCidr(text);
      if (!c) throw new Error(`WEBHOOK_ALLOW_NETWORKS: "${text}" is not a CIDR`);
      return c;
    }),
  };
}

/** Why an address is refused, or null when webhooks may reach it. */
export function refusedAddress(address: string, policy: UrlPolicy): string | null {
  const ip = parseIp(address);
  if (!ip) return `${address} is not an IP address`;
  const range = ip.range();
  if (range === 'unicast') return null;
  if (policy.allowNetworks.some((c) => cidrContains(c, ip))) return null;
  return `${ip.toString()} is a ${range} address (not in WEBHOOK_ALLOW_NETWORKS)`;
}

/** Checks a URL's form (and its address, when it is an IP literal); throws a ValidationError naming `field`. */
export function checkWebhookUrl(raw: string, policy: UrlPolicy, field = 'url'): URL {
  if (raw.length > 2000) throw new ValidationError(`${field}: at most 2,000 characters`, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`${field}: "${raw.slice(0, 100)}" is not a URL`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(`${field}: only http and https URLs are allowed (got ${url.protocol})`, field);
  if (url.username || url.password) throw new ValidationError(`${field}: must not carry credentials; the signature authenticates Warden`, field);
  if (!url.hostname) throw new ValidationError(`${field}: has no host`, field);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (parseIp(literal)) {
    const why = refusedAddress(literal, policy);
    if (why) throw new ValidationError(`${field}: refused: ${why}`, field);
  }
  return url;
}

/** Thrown by {@link pinnedLookup} when a host resolves to an address the policy refuses. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/**
 * A `lookup` for http.request that resolves once, refuses the host if any of its addresses is
 * refused, and hands the checked addresses to the socket.
 */
export function pinnedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as { address: string; family: number }[];
      for (const a of list) {
        const why = refusedAddress(a.address, policy);
        if (why) return callback(new RefusedAddressError(`refused: ${hostname} resolves to ${why}`), '', 0);
      }
      if (!list.length) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

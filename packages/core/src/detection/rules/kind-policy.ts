import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import { cidrContains, isInternalIp, isLocalScope, parseCidr, parseIp, type Cidr } from '../ip.js';
import type { AlertDraft, DetectionEvent, DeviceFacts } from '../types.js';

/** Compiled per-kind allow lists (CIDRs parsed once per configuration, not per message). */
export type KindAllowLists = Record<string, Cidr[]>;

export function compileKindPolicy(config: DetectionConfig['kindPolicy']): KindAllowLists {
  return Object.fromEntries(
    Object.entries(config.internalOnly).map(([kind, p]) => [kind, p.allow.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null)]),
  );
}

/**
 * A device kind that must stay internal (a light bulb, a sensor) exchanged traffic with an address
 * outside the office that its kind's allow list does not name. One alert per device per window,
 * listing the destinations.
 */
export function evaluateKindPolicy(
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['kindPolicy'],
  allowLists: KindAllowLists,
  internal: readonly Cidr[],
): AlertDraft[] {
  const allow = allowLists[device.kind];
  if (!config.enabled || !allow) return [];
  const destinations = new Map<string, Set<number>>();
  for (const flow of event.flows) {
    const ip = parseIp(flow.peer);
    if (!ip || isInternalIp(ip, internal) || isLocalScope(ip) || allow.some((c) => cidrContains(c, ip))) continue;
    const ports = destinations.get(ip.toString()) ?? new Set();
    ports.add(flow.port);
    destinations.set(ip.toString(), ports);
  }
  if (destinations.size === 0) return [];
  const windowMs = config.realertSeconds * 1000;
  const bucket = windowBucket(event.ts, windowMs);
  const key = dedupKey('FORBIDDEN_DESTINATION', `device:${device.id}`, bucket);
  const list = [...destinations].slice(0, 50).map(([ip, ports]) => ({ ip, ports: [...ports] }));
  return [
    {
      id: stableId(key),
      dedupKey: key,
      rule: 'FORBIDDEN_DESTINATION',
      severity: 'MEDIUM',
      deviceId: device.id,
      segmentId: device.segmentId,
      summary: `a ${device.kind} reached ${destinations.size} destination(s) outside the office, e.g. ${list[0]!.ip}`,
      evidence: { kind: device.kind, destinations: list },
      windowStart: bucket * windowMs,
      observedAt: event.ts,
    },
  ];
}

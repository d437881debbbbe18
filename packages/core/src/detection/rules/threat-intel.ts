import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { ThreatIntelMatcher } from '../threat-intel.js';
import type { AlertDraft, DetectionEvent, DeviceFacts } from '../types.js';

/**
 * Contact with a threat-intel destination, in either direction. Stateless: one candidate per
 * matched indicator per re-alert window (the engine raises each once).
 */
export function evaluateThreatIntel(
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['threatIntel'],
  matcher: ThreatIntelMatcher,
): AlertDraft[] {
  if (!config.enabled || matcher.size === 0) return [];
  const windowMs = config.realertSeconds * 1000;
  const bucket = windowBucket(event.ts, windowMs);
  const hits = new Map<string, { indicator: string; label?: string | undefined; ips: Set<string>; ports: Set<number>; bytes: number }>();
  for (const flow of event.flows) {
    const hit = matcher.match(flow.peer);
    if (!hit) continue;
    const h = hits.get(hit.entry.id) ?? { indicator: hit.entry.value, label: hit.entry.label, ips: new Set(), ports: new Set(), bytes: 0 };
    h.ips.add(hit.ip);
    h.ports.add(flow.port);
    h.bytes += flow.bytes;
    hits.set(hit.entry.id, h);
  }
  return [...hits].map(([indicatorId, h]) => {
    const key = dedupKey('THREAT_INTEL_DESTINATION', `device:${device.id}:${indicatorId}`, bucket);
    return {
      id: stableId(key),
      dedupKey: key,
      rule: 'THREAT_INTEL_DESTINATION',
      severity: 'HIGH',
      deviceId: device.id,
      segmentId: device.segmentId,
      summary: `contacted ${[...h.ips].join(', ')} on the threat-intel list (${h.label ?? h.indicator})`,
      evidence: { indicatorId, indicator: h.indicator, label: h.label ?? null, destinations: [...h.ips], ports: [...h.ports], bytes: h.bytes },
      windowStart: bucket * windowMs,
      observedAt: event.ts,
    } satisfies AlertDraft;
  });
}

import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import { isInternalIp, parseIp, type Cidr } from '../ip.js';
import type { AlertDraft, DetectionEvent, DeviceFacts, RuleResult } from '../types.js';

/** Internal peers contacted on management ports, with when each was last contacted (epoch ms). */
export interface FanOutState {
  peers: Record<string, number>;
}

export const initialFanOutState = (): FanOutState => ({ peers: {} });

/** Bound on remembered peers per device: a scan of a /16 must not grow state without limit. */
const MAX_PEERS = 4096;

/** The management ports as a set, built once per configuration rather than once per message. */
const portSets = new WeakMap<DetectionConfig['fanOut'], Set<number>>();
function managementPorts(config: DetectionConfig['fanOut']): Set<number> {
  let ports = portSets.get(config);
  if (!ports) portSets.set(config, (ports = new Set(config.ports)));
  return ports;
}

/**
 * Worm-like fan-out: the device opened connections to many distinct internal peers on management
 * ports (telnet, SSH, SMB, SSDP, ADB) within a sliding window.
 */
export function evaluateFanOut(
  state: FanOutState,
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['fanOut'],
  internal: readonly Cidr[],
): RuleResult<FanOutState> {
  if (!config.enabled) return { state, alerts: [] };
  const windowMs = config.windowSeconds * 1000;
  const ports = managementPorts(config);
  const hits: { key: string; port: number }[] = [];
  for (const flow of event.flows) {
    if (!flow.outbound || !ports.has(flow.port) || (flow.protocol !== 'tcp' && flow.protocol !== 'udp')) continue;
    const ip = parseIp(flow.peer);
    if (!ip || !isInternalIp(ip, internal)) continue;
    hits.push({ key: ip.toString(), port: flow.port });
  }
  // Most messages touch no management port: then the state only changes when a peer expires.
  if (!hits.length) {
    let expired = false;
    for (const peer in state.peers) {
      if (state.peers[peer]! <= event.ts - windowMs) {
        expired = true;
        break;
      }
    }
    if (!expired) return { state, alerts: [] };
  }
  const peers: Record<string, number> = {};
  for (const [peer, at] of Object.entries(state.peers)) if (at > event.ts - windowMs) peers[peer] = at;
  const newPorts = new Set<number>();
  for (const { key, port } of hits) {
    peers[key] = Math.max(peers[key] ?? 0, event.ts);
    newPorts.add(port);
  }
  const entries = Object.entries(peers);
  const kept = entries.length > MAX_PEERS ? Object.fromEntries(entries.sort((a, b) => b[1] - a[1]).slice(0, MAX_PEERS)) : peers;
  const next = { peers: kept };
  const count = Object.keys(kept).length;
  if (count < config.distinctPeers || newPorts.size === 0) return { state: next, alerts: [] };
  const bucket = windowBucket(event.ts, windowMs);
  const key = dedupKey('WORM_FAN_OUT', `device:${device.id}`, bucket);
  const alert: AlertDraft = {
    id: stableId(key),
    dedupKey: key,
    rule: 'WORM_FAN_OUT',
    severity: 'HIGH',
    deviceId: device.id,
    segmentId: device.segmentId,
    summary: `contacted ${count} internal peers on management ports within ${config.windowSeconds} s`,
    evidence: { distinctPeers: count, threshold: config.distinctPeers, ports: [...newPorts].sort((a, b) => a - b), peers: Object.keys(kept).slice(0, 50) },
    windowStart: event.ts - windowMs,
    observedAt: event.ts,
  };
  return { state: next, alerts: [alert] };
}

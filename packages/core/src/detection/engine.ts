import type { DetectionConfig } from './config.js';
import type { Cidr } from './ip.js';
import { parseCidr } from './ip.js';
import { compileThreatIntel, type ThreatIntelEntry, type ThreatIntelMatcher } from './threat-intel.js';
import type { AlertDraft, DetectionEvent, DeviceFacts, RuleResult } from './types.js';
import { evaluateAuthFailures, initialAuthFailureState, type AuthFailureState } from './rules/auth-failures.js';
import { evaluateFanOut, initialFanOutState, type FanOutState } from './rules/fan-out.js';
import { evaluateFirmwareHash, type ArtifactHashLookup } from './rules/firmware-hash.js';
import { compileKindPolicy, evaluateKindPolicy, type KindAllowLists } from './rules/kind-policy.js';
import {
  evaluateSegmentSilenceRule,
  initialSegmentSilenceState,
  type SegmentLivenessSnapshot,
  type SegmentSilenceState,
} from './rules/segment-silence.js';
import { evaluateThreatIntel } from './rules/threat-intel.js';
import { evaluateTrafficBaseline, initialTrafficBaselineState, type TrafficBaselineState } from './rules/traffic-baseline.js';

/**
 * Everything detection remembers about one device. Plain JSON (no Map, Set or Date): the stream
 * processor keeps it per device id, which is also the Kafka key, so the state moves with the
 * partition on a rebalance; it is checkpointed to Postgres before the offsets it covers are committed.
 */
export interface DeviceDetectionState {
  v: 1;
  /** Identity of the last message applied: a redelivered message is a no-op. */
  lastSeq: number;
  lastTs: number;
  fanOut: FanOutState;
  traffic: TrafficBaselineState;
  auth: AuthFailureState;
  /** Dedup keys already raised, with when they may be forgotten (epoch ms). */
  raised: Record<string, number>;
}

/** Detection's view of one segment (segment-wide rules), stored per segment id. */
export interface SegmentDetectionState {
  v: 1;
  silence: SegmentSilenceState;
  raised: Record<string, number>;
}

/** The configuration with its address lists parsed, and the threat-intel list compiled. Build once per change. */
export interface CompiledDetection {
  config: DetectionConfig;
  internal: Cidr[];
  kindAllow: KindAllowLists;
  threatIntel: ThreatIntelMatcher;
}

export function compileDetection(config: DetectionConfig, threatIntel: readonly ThreatIntelEntry[]): CompiledDetection {
  return {
    config,
    internal: config.internalCidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null),
    kindAllow: compileKindPolicy(config.kindPolicy),
    threatIntel: compileThreatIntel(threatIntel),
  };
}

export function initialDeviceDetectionState(): DeviceDetectionState {
  return { v: 1, lastSeq: -1, lastTs: 0, fanOut: initialFanOutState(), traffic: initialTrafficBaselineState(), auth: initialAuthFailureState(), raised: {} };
}

/** Longest re-alert window of any rule: how long a raised key must be remembered past its bucket. */
function retentionMs(config: DetectionConfig): number {
  return (
    1000 *
    Math.max(
      config.fanOut.windowSeconds,
      config.threatIntel.realertSeconds,
      config.trafficBaseline.realertSeconds,
      config.authFailures.windowSeconds,
      config.firmwareHash.realertSeconds,
      config.kindPolicy.realertSeconds,
      config.segmentSilence.windowSeconds,
    )
  );
}

/** Keeps the candidates not raised yet and records them; forgets keys whose time has passed. */
function raiseOnce(raised: Record<string, number>, candidates: AlertDraft[], now: number, keepMs: number) {
  if (!candidates.length) {
    // Nothing raised: keep the record as it is unless a key has expired.
    let expired = false;
    for (const key in raised) {
      if (raised[key]! <= now) {
        expired = true;
        break;
      }
    }
    if (!expired) return { raised, alerts: candidates };
  }
  const next: Record<string, number> = {};
  for (const [key, until] of Object.entries(raised)) if (until > now) next[key] = until;
  const alerts: AlertDraft[] = [];
  for (const a of candidates) {
    if (next[a.dedupKey] !== undefined) continue;
    next[a.dedupKey] = now + 2 * keepMs;
    alerts.push(a);
  }
  return { raised: next, alerts };
}

export interface TelemetryDetectionContext {
  device: DeviceFacts;
  detection: CompiledDetection;
  artifactHashes: ArtifactHashLookup;
}

/**
 * Runs every per-device rule on one telemetry message. Returns the device's new state and the
 * alerts to publish, each raised once per rule, subject and window bucket. A message at or before
 * the last one applied (a redelivery after a crash) changes nothing and raises nothing; alert ids
 * derive from dedup keys, so even a replay from older state yields the same ids to store once.
 */
export function detectTelemetry(
  prior: DeviceDetectionState | undefined,
  event: DetectionEvent,
  ctx: TelemetryDetectionContext,
): RuleResult<DeviceDetectionState> {
  const state = prior ?? initialDeviceDetectionState();
  if (event.seq <= state.lastSeq && event.ts <= state.lastTs) return { state, alerts: [] };
  const { config, internal, kindAllow, threatIntel } = ctx.detection;
  const fan = evaluateFanOut(state.fanOut, event, ctx.device, config.fanOut, internal);
  const traffic = evaluateTrafficBaseline(state.traffic, event, ctx.device, config.trafficBaseline);
  const auth = evaluateAuthFailures(state.auth, event, ctx.device, config.authFailures);
  const candidates = [
    ...fan.alerts,
    ...evaluateThreatIntel(event, ctx.device, config.threatIntel, threatIntel),
    ...traffic.alerts,
    ...auth.alerts,
    ...evaluateFirmwareHash(event, ctx.device, config.firmwareHash, ctx.artifactHashes),
    ...evaluateKindPolicy(event, ctx.device, config.kindPolicy, kindAllow, internal),
  ];
  const { raised, alerts } = raiseOnce(state.raised, candidates, event.ts, retentionMs(config));
  return {
    state: { v: 1, lastSeq: event.seq, lastTs: Math.max(event.ts, state.lastTs), fanOut: fan.state, traffic: traffic.state, auth: auth.state, raised },
    alerts,
  };
}

export function initialSegmentDetectionState(): SegmentDetectionState {
  return { v: 1, silence: initialSegmentSilenceState(), raised: {} };
}

/**
 * Runs the segment-wide rules on a segment's liveness right after a sweep marked some of its
 * devices OFFLINE (see rules/segment-silence.ts). State is stored per segment id by the sweep.
 */
export function detectLiveness(
  prior: SegmentDetectionState | undefined,
  snapshot: SegmentLivenessSnapshot,
  config: DetectionConfig,
): RuleResult<SegmentDetectionState> {
  const state = prior?.v === 1 ? prior : initialSegmentDetectionState();
  const silence = evaluateSegmentSilenceRule(state.silence, snapshot, config.segmentSilence);
  const { raised, alerts } = raiseOnce(state.raised, silence.alerts, snapshot.at, retentionMs(config));
  return { state: { v: 1, silence: silence.state, raised }, alerts };
}

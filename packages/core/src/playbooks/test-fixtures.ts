import type { IncidentSnapshot } from './conditions.js';
import type { ResolvedSelectors } from './planner.js';

/** Shared by this folder's tests only. */
export const NOW = Date.parse('2026-03-01T10:00:00Z');

export const incident = (over: Partial<IncidentSnapshot> = {}): IncidentSnapshot => ({
  id: 'inc-1',
  status: 'TRIAGED',
  severity: 'HIGH',
  rules: ['WORM_FAN_OUT'],
  deviceIds: ['cam-1', 'bulb-1'],
  segmentIds: ['seg-iot'],
  destinations: ['198.51.100.7'],
  criticalDeviceCount: 1,
  openedAt: NOW - 600_000,
  blastRadius: { 1: 2, 2: 1, 3: 3, 4: 1 },
  ...over,
});

export const resolved = (over: Partial<ResolvedSelectors> = {}): ResolvedSelectors => ({
  incidentDevices: ['cam-1', 'bulb-1'],
  incidentSegments: ['seg-iot'],
  incidentDestinations: ['198.51.100.7'],
  blastRadiusTiers: { 1: ['bulb-2', 'badge-1'], 2: ['tv-1'], 3: ['cam-2', 'cam-3', 'old-1'], 4: ['old-2'] },
  failSafeDevices: ['cam-1', 'badge-1'],
  failSafeSegments: ['seg-secure'],
  unpatchableDevices: ['old-1', 'old-2'],
  ...over,
});

export const WORM_PLAYBOOK = `
name: worm-outbreak
title: Contain a worm on an IoT segment
trigger: { rules: [WORM_FAN_OUT], minSeverity: HIGH, auto: true }
when: { field: incident.severity, op: gte, value: HIGH }
steps:
  - id: quarantine-infected
    type: quarantine
    targets: incident.devices
    expiresIn: 4h
  - id: rotate
    type: rotate_credentials
    targets: incident.devices
  - id: block-c2
    type: block_destination
    destinations: incident.destinations
  - id: approve-patch
    type: require_approval
    message: Push the fixed firmware to the exposed devices?
    timeout: 30m
  - id: patch
    type: emergency_rollout
    targets: blast_radius.tier<=3
  - id: wait-contained
    type: wait
    until: { field: incident.status, op: gte, value: CONTAINED }
    timeout: 1h
  - id: isolate-if-spreading
    type: isolate_segment
    targets: incident.segments
    when: { field: blast_radius.tier1, op: gte, value: 10 }
  - id: tell-soc
    type: notify_webhook
    url: https://soc.example.com/hooks/warden
    secret: soc-webhook
    onFailure: continue
`;

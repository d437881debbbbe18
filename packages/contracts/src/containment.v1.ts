import { z } from 'zod';

/**
 * containment.v1: what network enforcement connectors (NAC, firewall, switch) and device agents act
 * on, published on `warden.containment.v1`, keyed by the target (`device:<id>`, `segment:<id>` or
 * `destination:<cidr>`), so the events of one target arrive in order on one partition.
 *
 * Every containment is a recorded action on one target; its life is a sequence of events with the
 * same `containmentId`: APPLIED, then RELEASED (by a person, by undo or by expiry). A connector
 * applies an event idempotently by (`containmentId`, `version`) and ignores an event older than the
 * last one it applied for that containment, so redelivery (at least once) and reordering are
 * harmless. A target may be under several containments at once: it stays contained while any of
 * them is APPLIED.
 *
 * A quarantined device keeps its management channel: connectors must keep allowing
 * `managementAllow` (the DDI/telemetry endpoints and the MQTT broker) so the device can still be patched.
 */

export const CONTAINMENT_ACTIONS = [
  /** Cut a device off from everything except the management channel. */
  'QUARANTINE_DEVICES',
  /** Stop traffic between a segment and every other segment (its management channel stays open). */
  'ISOLATE_SEGMENT',
  /** Drop traffic from the fleet to an IP or CIDR. */
  'BLOCK_DESTINATION',
  /** The device's credentials were replaced: its old tokens no longer work. */
  'ROTATE_CREDENTIALS',
  /** The device's credentials were revoked: it cannot talk to Warden until released or re-provisioned. */
  'REVOKE_CREDENTIALS',
] as const;
export type ContainmentAction = (typeof CONTAINMENT_ACTIONS)[number];

export const CONTAINMENT_STATUSES = ['APPLIED', 'RELEASED'] as const;
export type ContainmentStatus = (typeof CONTAINMENT_STATUSES)[number];

const isoDateTime = z.iso.datetime({ offset: true });
const ipOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be an IP address or a CIDR' });
const deviceAddress = z.strictObject({ id: z.uuid(), ip: z.union([z.ipv4(), z.ipv6()]).nullable(), mac: z.string().nullable() });

export const containmentTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('DEVICES'),
    /** Device ids with the addresses known for them, so a connector needs no lookup. */
    devices: z.array(deviceAddress).min(1),
  }),
  z.strictObject({
    kind: z.literal('SEGMENT'),
    segmentId: z.uuid(),
    cidr: z.union([z.cidrv4(), z.cidrv6()]),
    vlan: z.int().nullable(),
    /** Fail-safe devices of the segment the isolation must leave connected (no override was given). */
    exempt: z.array(deviceAddress).optional(),
  }),
  z.strictObject({ kind: z.literal('DESTINATION'), destination: ipOrCidr }),
]);
export type ContainmentTarget = z.infer<typeof containmentTargetSchema>;

export const containmentEventSchema = z.strictObject({
  containmentId: z.uuid(),
  /** Increases with every event of one containment; a connector ignores older versions. */
  version: z.int().min(1),
  action: z.enum(CONTAINMENT_ACTIONS),
  status: z.enum(CONTAINMENT_STATUSES),
  target: containmentTargetSchema,
  /** Who did it: `user:<id>`, `apikey:<id>`, `playbook-run:<id>` or `system:<name>`. */
  actor: z.string().min(1).max(200),
  reason: z.string().max(2000),
  incidentId: z.uuid().nullable(),
  /** When it is released automatically, if ever (ISO 8601). */
  expiresAt: isoDateTime.nullable(),
  /** Endpoints that must stay reachable for the targets (the device management channel). */
  managementAllow: z.array(z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65535) })),
  /** When this event was decided (ISO 8601). */
  at: isoDateTime,
});
export type ContainmentEventV1 = z.infer<typeof containmentEventSchema>;

/** Value of the schema header on `warden.containment.v1` records. */
export const CONTAINMENT_SCHEMA = 'containment.v1';

/** The Kafka key of a target's events. */
export const containmentTargetKey = (t: { deviceId?: string | null; segmentId?: string | null; destination?: string | null }): string =>
  t.deviceId ? `device:${t.deviceId}` : t.segmentId ? `segment:${t.segmentId}` : `destination:${t.destination}`;

/**
 * The retained MQTT topic a device agent subscribes to for its containment state:
 * `warden/devices/<controllerId>/containment` (the DDI controller id the agent already knows).
 */
export const deviceContainmentTopic = (controllerId: string): string => `warden/devices/${controllerId}/containment`;

/**
 * device-containment.v1: the retained message on {@link deviceContainmentTopic}: the device's whole
 * containment state (not a delta), so an agent that connects late or reconnects learns it at once.
 * An agent that enforces locally (host firewall) allows only `managementAllow` while `quarantined`.
 */
export const deviceContainmentStateSchema = z.strictObject({
  deviceId: z.uuid(),
  controllerId: z.string().min(1),
  /** Cut off from everything but `managementAllow`. */
  quarantined: z.boolean(),
  /** Its segment is isolated from the others (and it is not exempt as fail-safe). */
  segmentIsolated: z.boolean(),
  /** Its credentials were revoked or rotated: it must be re-provisioned (or wait for a release). */
  credentialsRevoked: z.boolean(),
  /** The containments in force on it, oldest first. */
  containments: z.array(
    z.strictObject({
      containmentId: z.uuid(),
      action: z.enum(CONTAINMENT_ACTIONS),
      since: isoDateTime,
      expiresAt: isoDateTime.nullable(),
      reason: z.string().max(2000),
    }),
  ),
  managementAllow: z.array(z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65535) })),
  /** When this state was computed (ISO 8601); an agent ignores a state older than the one it has. */
  at: isoDateTime,
});
export type DeviceContainmentState = z.infer<typeof deviceContainmentStateSchema>;
export const DEVICE_CONTAINMENT_SCHEMA = 'device-containment.v1';

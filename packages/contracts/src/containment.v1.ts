import { z } from 'zod';

/**
 * containment.v1: what network enforcement connectors (NAC, firewall, switch) and device agents act
 * on, published on `warden.containment.v1`, keyed by `containmentId`.
 *
 * Every containment is a recorded action; its life is a sequence of events with the same
 * `containmentId`: APPLIED, then RELEASED (by a person, by undo or by expiry). A connector applies
 * an event idempotently by (`containmentId`, `status`) and ignores an event older (`version`) than
 * the last one it applied for that containment, so redelivery and reordering are harmless.
 *
 * A quarantined device keeps its management channel: connectors must keep allowing
 * `managementAllow` (the DDI/telemetry endpoints) so the device can still be patched.
 */

export const CONTAINMENT_ACTIONS = [
  /** Cut devices off from everything except the management channel. */
  'QUARANTINE_DEVICE',
  /** Stop traffic between a segment and every other segment (its management channel stays open). */
  'ISOLATE_SEGMENT',
  /** Drop traffic from the fleet to an IP or CIDR. */
  'BLOCK_DESTINATION',
  /** Issue new device credentials and retire the old ones after a grace period. */
  'ROTATE_CREDENTIALS',
  /** Revoke device credentials at once (the device must be re-provisioned). */
  'REVOKE_CREDENTIALS',
] as const;
export type ContainmentAction = (typeof CONTAINMENT_ACTIONS)[number];

export const CONTAINMENT_STATUSES = ['APPLIED', 'RELEASED'] as const;
export type ContainmentStatus = (typeof CONTAINMENT_STATUSES)[number];

const isoDateTime = z.iso.datetime({ offset: true });
const ipOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be an IP address or a CIDR' });

export const containmentTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('DEVICES'),
    /** Device ids with the addresses known for them, so a connector needs no lookup. */
    devices: z
      .array(z.strictObject({ id: z.uuid(), ip: z.union([z.ipv4(), z.ipv6()]).nullable(), mac: z.string().nullable() }))
      .min(1),
  }),
  z.strictObject({
    kind: z.literal('SEGMENT'),
    segmentId: z.uuid(),
    cidr: z.union([z.cidrv4(), z.cidrv6()]),
    vlan: z.int().nullable(),
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
  /** Who did it: `user:<id>`, `apikey:<id>` or `playbook-run:<id>`. */
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

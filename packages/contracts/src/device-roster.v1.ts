import { z } from 'zod';

/**
 * device-roster.v1: what a fleet of devices is provisioned with at the factory, as one file: each
 * device's identity, network placement, running firmware and its own device token (in clear: the
 * registry keeps only its hash), plus the firmware signing public key every device trusts.
 *
 * The demo seed writes it (mode 0600, under `.warden/`) and the simulator reads it; a real fleet
 * gets the same facts flashed into each device. Nothing else in Warden reads it.
 */

export const DEVICE_KINDS = ['SPEAKER', 'LIGHT', 'THERMOSTAT', 'PRINTER', 'CAMERA', 'BADGE_READER', 'TV', 'SENSOR', 'HUB', 'OTHER'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

const ip = z.union([z.ipv4(), z.ipv6()]);

export const rosterDeviceSchema = z.strictObject({
  /** The registry's device id (telemetry `deviceId`). */
  id: z.uuid(),
  /** The DDI controller id (`/{tenant}/controller/v1/{controllerId}`). */
  controllerId: z.string().min(1).max(128),
  serial: z.string().min(1).max(128),
  kind: z.enum(DEVICE_KINDS),
  /** `vendor/name` of the device model. */
  model: z.string().min(1).max(200),
  otaCapable: z.boolean(),
  /** Segment name, e.g. `iot-f1`. */
  segment: z.string().min(1).max(100),
  ip,
  firmwareVersion: z.string().min(1).max(64),
  /** The device token (`Authorization: TargetToken <token>`). */
  token: z.string().min(8).max(512),
});
export type RosterDevice = z.output<typeof rosterDeviceSchema>;

export const deviceRosterSchema = z.strictObject({
  version: z.literal(1),
  generatedAt: z.iso.datetime({ offset: true }),
  /** DDI tenant in device URLs. */
  tenant: z.string().min(1).max(100),
  site: z.string().min(1).max(100),
  /** A site gateway token (`GatewayToken`) that may send telemetry for every device of the site, batched. */
  gatewayToken: z.string().min(8).max(512).optional(),
  /** The key devices check firmware signatures with (Ed25519 over the artifact's SHA-256 digest). */
  firmwareKey: z.strictObject({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKeyPem: z.string().min(1) }).optional(),
  segments: z.array(z.strictObject({ name: z.string().min(1), cidr: z.string().min(1), zone: z.string().min(1) })),
  devices: z.array(rosterDeviceSchema),
});
export type DeviceRoster = z.output<typeof deviceRosterSchema>;

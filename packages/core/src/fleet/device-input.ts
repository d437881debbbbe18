import { z } from 'zod';
import { isValidFirmwareVersion } from './firmware-version.js';

/** Device kinds, as the registry knows them. */
export const DEVICE_KINDS = ['SPEAKER', 'LIGHT', 'THERMOSTAT', 'PRINTER', 'CAMERA', 'BADGE_READER', 'TV', 'SENSOR', 'HUB', 'OTHER'] as const;
export const CRITICALITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
/** Statuses an admin may set directly; QUARANTINED comes only from containment, RETIRED from retire. */
export const SETTABLE_STATUSES = ['PROVISIONING', 'ACTIVE'] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]{2,39}$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((s) => (s === '' ? undefined : s))
    .optional();

export const serialSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -');

/** DDI controller ids appear in URL paths: keep them URL-safe. */
export const controllerIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits and . _ -');

export const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/, 'must be lowercase letters, digits and . _ : / -');

export const ipSchema = z
  .string()
  .trim()
  .refine((v) => IPV4.test(v) || (v.includes(':') && IPV6.test(v)), 'is not an IP address');

export const macSchema = z
  .string()
  .trim()
  .regex(MAC, 'is not a MAC address (aa:bb:cc:dd:ee:ff)')
  .transform((v) => v.toLowerCase().replaceAll('-', ':'));

export const firmwareSchema = z
  .string()
  .trim()
  .max(64)
  .refine(isValidFirmwareVersion, 'is not a version (e.g. 1.4.0, 2.1.0-rc.1)');

/** A yes/no field: a JSON boolean, or in CSV true/false, yes/no, 1/0 (empty: not given). */
const flagSchema = z
  .union([z.boolean(), z.enum(['true', 'false', 'yes', 'no', '1', '0', 'TRUE', 'FALSE', 'Yes', 'No', ''])], { error: 'must be true or false' })
  .transform((v) => (typeof v === 'boolean' ? v : v === '' ? undefined : ['true', 'yes', '1'].includes(v.toLowerCase())));

const attributesSchema = z
  .record(z.string().max(128), z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 100, 'may hold at most 100 attributes');

/**
 * One device as an admin describes it: the shape of `registerDevice` and of each import row.
 * The model is named `vendor/model`; the segment `site-code/segment-name` (or given by id).
 */
export const deviceInputSchema = z.object({
  serial: serialSchema,
  controllerId: controllerIdSchema.optional(),
  name: optionalText(200),
  model: z.string().trim().min(1, 'is required').max(200),
  kind: z.enum(DEVICE_KINDS).optional(),
  firmwareVersion: firmwareSchema.optional(),
  segment: optionalText(200),
  ip: ipSchema.optional(),
  mac: macSchema.optional(),
  tags: z.array(tagSchema).max(32, 'at most 32 tags').optional(),
  location: optionalText(200),
  criticality: z.enum(CRITICALITIES).optional(),
  owner: optionalText(200),
  status: z.enum(SETTABLE_STATUSES).optional(),
  /** Cutting it off could hurt people or property (badge readers, cameras): containment skips it without an override. */
  failSafe: flagSchema.optional(),
  attributes: attributesSchema.optional(),
});

export type DeviceInput = z.input<typeof deviceInputSchema>;
export type ParsedDeviceInput = z.output<typeof deviceInputSchema>;

/** Changes to one device; every field optional, `null` clears a nullable field. */
export const deviceUpdateSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  firmwareVersion: firmwareSchema.nullable().optional(),
  ip: ipSchema.nullable().optional(),
  mac: macSchema.nullable().optional(),
  location: z.string().trim().max(200).nullable().optional(),
  criticality: z.enum(CRITICALITIES).optional(),
  owner: z.string().trim().max(200).nullable().optional(),
  status: z.enum(SETTABLE_STATUSES).optional(),
  failSafe: z.boolean().optional(),
  attributes: attributesSchema.optional(),
});
export type DeviceUpdate = z.input<typeof deviceUpdateSchema>;

/** "field: message" for the first issue, naming the field the way the caller wrote it. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(row)', message: i.message }));
}

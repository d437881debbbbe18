import { z } from 'zod';

/** `warden.device-events.v1`: lifecycle changes of a device, keyed by device id. */
export const deviceEventSchema = z.object({
  type: z.enum(['ONLINE', 'OFFLINE']),
  deviceId: z.uuid(),
  segmentId: z.uuid().nullable(),
  /** When the change was decided (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
  /** When the device was last heard from (ISO 8601). */
  lastSeenAt: z.iso.datetime({ offset: true }).nullable(),
});

export type DeviceEvent = z.infer<typeof deviceEventSchema>;

import { z } from 'zod';

/** A daily window, e.g. 22:00 for 240 minutes in Europe/Berlin. */
export const maintenanceWindowSchema = z.object({
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'start: HH:MM'),
  durationMinutes: z.number().int().min(1).max(24 * 60),
  timezone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'timezone: an IANA time zone such as Europe/Berlin'),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

function minutesOfDay(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

/** Whether `at` falls inside the window (windows may wrap past midnight). No window: always. */
export function inMaintenanceWindow(window: MaintenanceWindow | null | undefined, at: Date): boolean {
  if (!window) return true;
  const [h, m] = window.start.split(':').map(Number) as [number, number];
  const start = h * 60 + m;
  const now = minutesOfDay(at, window.timezone);
  const since = (now - start + 24 * 60) % (24 * 60);
  return since < window.durationMinutes;
}

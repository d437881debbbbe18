import { pollView } from '@warden/db';
import type { ddi } from '@warden/contracts';
import { audit } from '../audit/audit.js';
import type { CoreDeps } from '../context.js';
import { ValidationError } from '../errors.js';
import { ACTIVE_ACTION_STATUSES } from '../rollouts/state-machine.js';
import { lockRows } from '../locks.js';

export interface ControllerView {
  /** The device's one active action, if any; `canceling` means a cancelAction link. */
  action: { id: number; canceling: boolean } | null;
  /** The server wants the device's attributes (configData link). */
  configRequested: boolean;
}

/** What a polling device should do next: one indexed query on the hot-path pool. */
export async function controllerView(deps: Pick<CoreDeps, 'sql'>, deviceId: string): Promise<ControllerView> {
  const r = await pollView(deps.sql, deviceId, ACTIVE_ACTION_STATUSES);
  return {
    action: r.action_id != null ? { id: r.action_id, canceling: r.status === 'CANCELING' } : null,
    configRequested: r.config_requested ?? true,
  };
}

/**
 * Stores the attributes a device reports (DDI configData) on the device: merged, replaced or
 * removed, and clears the server's request for them.
 */
export async function putConfigData(deps: Pick<CoreDeps, 'db'>, deviceId: string, body: ddi.ConfigData): Promise<Record<string, string>> {
  return deps.db.$transaction(async (tx) => {
    // Locked, as an operator's edit locks it: a merge never drops what the other wrote meanwhile.
    await lockRows(tx, 'devices', deviceId);
    const device = await tx.device.findUniqueOrThrow({ where: { id: deviceId }, select: { attributes: true, controllerId: true } });
    const current = (device.attributes && typeof device.attributes === 'object' && !Array.isArray(device.attributes) ? device.attributes : {}) as Record<string, string>;
    let next: Record<string, string>;
    if (body.mode === 'replace') next = { ...body.data };
    else if (body.mode === 'remove') next = Object.fromEntries(Object.entries(current).filter(([k]) => !(k in body.data)));
    else next = { ...current, ...body.data };
    if (Object.keys(next).length > 100) throw new ValidationError('a device keeps at most 100 attributes', 'data');
    await tx.device.update({ where: { id: deviceId }, data: { attributes: next } });
    await tx.ddiControllerState.upsert({ where: { deviceId }, create: { deviceId, configRequested: false }, update: { configRequested: false } });
    await audit(tx, { type: 'DEVICE', id: deviceId, name: device.controllerId, role: 'VIEWER' }, {
      action: 'device.attributes.report',
      targetType: 'Device',
      targetId: deviceId,
      summary: { mode: body.mode, keys: Object.keys(body.data).slice(0, 20) },
    });
    return next;
  });
}

/**
 * Records polls (time and address) in memory and writes them in one statement per interval: at
 * thousands of polls per second a row write per poll would cost more than the poll itself.
 */
export class PollRecorder {
  private pending = new Map<string, { at: Date; ip: string | null }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Pick<CoreDeps, 'db'>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  record(deviceId: string, ip: string | null, at = new Date()): void {
    this.pending.set(deviceId, { at, ip });
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.flush().catch(this.onError), intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    // Another flush's failure is its own to report.
    await this.flushing.catch(() => undefined);
    if (this.pending.size === 0) return;
    // In id order, so recorders of several gateways lock the same rows in the same order.
    const batch = [...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.pending = new Map();
    const ids = batch.map(([id]) => id);
    const ats = batch.map(([, v]) => v.at.toISOString());
    const ips = batch.map(([, v]) => v.ip);
    const flushing = (this.flushing = (async () => {
      await this.deps.db.$executeRaw`
        INSERT INTO ddi_controller_state (device_id, last_poll_at, last_poll_ip)
        SELECT * FROM unnest(${ids}::uuid[], ${ats}::timestamp[], ${ips}::text[])
        ON CONFLICT (device_id) DO UPDATE SET last_poll_at = EXCLUDED.last_poll_at, last_poll_ip = EXCLUDED.last_poll_ip`;
      // devices.last_seen_at is for the registry (filters, sorting), as telemetry keeps it: moved
      // at most every 30 s, because each update of that wide, well-indexed row is costly (and a
      // device polling every few seconds would rewrite it every interval). ddi_controller_state
      // above has the exact time. Rows another transaction holds (the stream's batch touching the
      // same devices) are skipped, not waited for: two batches locking devices in different orders
      // would deadlock, and the next poll moves the time anyway.
      await this.deps.db.$executeRaw`
        UPDATE devices d SET last_seen_at = v.at
          FROM (SELECT x.id, v.at
                  FROM devices x JOIN unnest(${ids}::uuid[], ${ats}::timestamp[]) AS v(id, at) ON x.id = v.id
                 WHERE x.last_seen_at IS NULL OR x.last_seen_at < v.at - interval '30 seconds'
                   FOR NO KEY UPDATE OF x SKIP LOCKED) v
         WHERE d.id = v.id`;
    })());
    try {
      await flushing;
    } catch (err) {
      // Kept for the next flush unless a newer poll came in meanwhile.
      for (const [id, v] of batch) if (!this.pending.has(id)) this.pending.set(id, v);
      throw err;
    } finally {
      if (this.flushing === flushing) this.flushing = Promise.resolve();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // Last poll times are informational: failing to write them must not fail a shutdown.
    await this.flush().catch(this.onError);
  }
}

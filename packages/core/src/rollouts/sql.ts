import { Prisma } from '@warden/db';
import type { Tx } from '../audit/audit.js';
import { ACTIVE_ACTION_STATUSES } from './state-machine.js';

/**
 * Set-based writes on update actions: a wave of 10,000 devices is one statement, never a loop.
 * Every statement is idempotent (it only moves actions that are still in the source status), so a
 * job that runs twice after a crash changes nothing the second time.
 */
const ACTIVE = Prisma.sql`(${Prisma.join(ACTIVE_ACTION_STATUSES.map((s) => Prisma.sql`${s}::"UpdateActionStatus"`))})`;

/** Makes a wave's planned actions visible to devices. Returns how many were dispatched and skipped. */
export async function dispatchWaveActions(tx: Tx, waveId: string, now: Date, deadline: Date): Promise<{ dispatched: number; skipped: number }> {
  const dispatched = await tx.$executeRaw`
    WITH moved AS (
      UPDATE update_actions a
         SET status = 'SCHEDULED', dispatched_at = ${now}, deadline_at = ${deadline}
       WHERE a.wave_id = ${waveId}::uuid AND a.status = 'PLANNED'
         AND NOT EXISTS (SELECT 1 FROM update_actions b WHERE b.device_id = a.device_id AND b.status IN ${ACTIVE})
      RETURNING a.id)
    INSERT INTO update_action_status (action_id, at, status, source)
    SELECT id, ${now}, 'SCHEDULED', 'SERVER' FROM moved`;
  // Devices that meanwhile got an update from another rollout are skipped, not updated twice.
  const skipped = await tx.$executeRaw`
    WITH moved AS (
      UPDATE update_actions SET status = 'SKIPPED', finished_at = ${now}, last_message = 'device busy with another update'
       WHERE wave_id = ${waveId}::uuid AND status = 'PLANNED'
      RETURNING id)
    INSERT INTO update_action_status (action_id, at, status, source, details)
    SELECT id, ${now}, 'SKIPPED', 'SERVER', ARRAY['device busy with another update'] FROM moved`;
  return { dispatched, skipped };
}

/** Open actions past their deadline become TIMED_OUT (a failure). Returns the rollouts touched. */
export async function timeOutOverdueActions(tx: Tx, now: Date, where: { rolloutId?: string; waveId?: string }): Promise<string[]> {
  const rows = await tx.$queryRaw<{ rollout_id: string }[]>`
    WITH moved AS (
      UPDATE update_actions SET status = 'TIMED_OUT', finished_at = ${now}, last_message = 'no feedback before the deadline'
       WHERE status IN ${ACTIVE} AND deadline_at <= ${now}
         ${where.rolloutId ? Prisma.sql`AND rollout_id = ${where.rolloutId}::uuid` : Prisma.empty}
         ${where.waveId ? Prisma.sql`AND wave_id = ${where.waveId}::uuid` : Prisma.empty}
      RETURNING id, rollout_id),
    logged AS (
      INSERT INTO update_action_status (action_id, at, status, source, details)
      SELECT id, ${now}, 'TIMED_OUT', 'SERVER', ARRAY['no feedback before the deadline'] FROM moved)
    SELECT DISTINCT rollout_id::text AS rollout_id FROM moved`;
  return rows.map((r) => r.rollout_id);
}

/**
 * Stops a rollout's outstanding actions: those a device has not fetched yet end at once; those in
 * progress on a device become CANCELING, which the device sees as a DDI cancelAction.
 */
export async function cancelOutstandingActions(tx: Tx, rolloutId: string, now: Date, reason: string): Promise<{ canceled: number; canceling: number }> {
  const canceled = await tx.$executeRaw`
    WITH moved AS (
      UPDATE update_actions SET status = 'CANCELED', finished_at = ${now}, last_message = ${reason}
       WHERE rollout_id = ${rolloutId}::uuid AND status IN ('PLANNED', 'SCHEDULED')
      RETURNING id)
    INSERT INTO update_action_status (action_id, at, status, source, details)
    SELECT id, ${now}, 'CANCELED', 'SERVER', ARRAY[${reason}] FROM moved`;
  const canceling = await tx.$executeRaw`
    WITH moved AS (
      UPDATE update_actions SET status = 'CANCELING', last_message = ${reason}
       WHERE rollout_id = ${rolloutId}::uuid AND status IN ('RETRIEVED', 'DOWNLOAD', 'DOWNLOADED', 'RUNNING', 'WARNING')
      RETURNING id)
    INSERT INTO update_action_status (action_id, at, status, source, details)
    SELECT id, ${now}, 'CANCELING', 'SERVER', ARRAY[${reason}] FROM moved`;
  return { canceled, canceling };
}

/** Counts of a rollout's current (not superseded) actions per wave and status: one GROUP BY. */
export async function countActions(tx: Tx, rolloutId: string): Promise<{ waveId: string; status: string; n: number }[]> {
  const rows = await tx.updateAction.groupBy({
    by: ['waveId', 'status'],
    where: { rolloutId, superseded: false },
    _count: { _all: true },
  });
  return rows.map((r) => ({ waveId: r.waveId, status: r.status, n: r._count._all }));
}

import type { Containment, Prisma } from '@warden/db';
import { z } from 'zod';
import { audit } from '../audit/audit.js';
import { requireRole, SYSTEM_ACTOR, type Actor } from '../auth/roles.js';
import { now } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { IncidentLiveEvent } from '../incidents/live.js';
import type { ContainmentDeps } from './deps.js';
import { containmentActorRef, timelineEntry } from './incident-link.js';
import { ACTIVE_STATUSES, isActive, planUndo, type Touched, type UndoStep } from './plan.js';
import { afterCommit } from './after-commit.js';
import { lockRows } from '../locks.js';

type Tx = Prisma.TransactionClient;

const UUID = z.uuid();

/** Carries out the undo of one locked, active containment and marks it released. */
async function undoOne(tx: Tx, actor: Actor, c: Containment, to: 'RELEASED' | 'EXPIRED', reason: string, at: Date): Promise<{ row: Containment; steps: UndoStep[] }> {
  const touched = c.touched as unknown as Touched;
  let steps: UndoStep[] = [];
  if (touched && 'kind' in touched) {
    const device = c.deviceId ? await tx.device.findUnique({ where: { id: c.deviceId }, select: { status: true } }) : null;
    const other =
      c.kind === 'QUARANTINE_DEVICES' && c.deviceId
        ? await tx.containment.findFirst({ where: { kind: 'QUARANTINE_DEVICES', deviceId: c.deviceId, status: { in: [...ACTIVE_STATUSES] }, id: { not: c.id } }, select: { id: true } })
        : null;
    const later =
      (c.kind === 'ROTATE_CREDENTIALS' || c.kind === 'REVOKE_CREDENTIALS') && c.deviceId
        ? await tx.containment.findFirst({
            where: { kind: { in: ['ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS'] }, deviceId: c.deviceId, status: { not: 'SKIPPED' }, createdAt: { gt: c.createdAt } },
            select: { id: true },
          })
        : null;
    steps = planUndo(touched, { deviceId: c.deviceId, currentStatus: device?.status ?? null, otherQuarantineId: other?.id ?? null, laterCredentialChangeId: later?.id ?? null });
  }
  for (const s of steps) {
    if (s.type === 'RESTORE_STATUS') await tx.device.updateMany({ where: { id: s.deviceId, status: 'QUARANTINED' }, data: { status: s.to } });
    else if (s.type === 'REINSTATE_CREDENTIALS') await tx.deviceCredential.updateMany({ where: { id: { in: s.credentialIds } }, data: { revokedAt: null, revokedBy: null } });
    else if (s.type === 'REVOKE_CREDENTIALS') await tx.deviceCredential.updateMany({ where: { id: { in: s.credentialIds }, revokedAt: null }, data: { revokedAt: at, revokedBy: actor.name } });
  }
  const row = await tx.containment.update({
    where: { id: c.id },
    data: {
      status: to,
      version: { increment: 1 },
      releasedAt: at,
      releasedBy: containmentActorRef(actor),
      releaseReason: reason,
      undo: steps as unknown as Prisma.InputJsonValue,
      updatedAt: at,
    },
  });
  return { row, steps };
}

/**
 * Locks the containments, then their devices (in id order, the lock a new containment request
 * takes): what an undo reads of a device (its status, later credential changes) cannot change
 * under it, so a rotation racing a release never ends with the old credentials reinstated.
 */
async function lockActive(tx: Tx, ids: string[]): Promise<Containment[]> {
  const locked = await lockRows(tx, 'containments', ids);
  const rows = await tx.containment.findMany({ where: { id: { in: locked } }, orderBy: { id: 'asc' } });
  const deviceIds = [...new Set(rows.flatMap((r) => (r.deviceId ? [r.deviceId] : [])))].sort();
  await lockRows(tx, 'devices', deviceIds);
  return rows;
}

/** Summary of what a release did, for timelines. */
function undoSummary(c: Containment, steps: UndoStep[]): string {
  const kept = steps.filter((s) => s.type === 'KEEP_STATUS' || s.type === 'KEEP_CREDENTIALS').map((s) => ('why' in s ? s.why : ''));
  const target = c.deviceId ? `device ${c.deviceId}` : c.segmentId ? `segment ${c.segmentId}` : `destination ${c.destination}`;
  return `${kept.length ? `kept in part (${kept.join('; ')})` : 'undone'}: ${target}`;
}

/**
 * Releases (undoes) a containment (RESPONDER): a quarantined device gets back the status it had
 * (unless another quarantine still holds it), revoked credentials are reinstated and a rotation's
 * new ones revoked (unless the device's credentials changed since), network blocks are lifted by
 * the connectors on the RELEASED event. Audited, and on the incident's timeline; the incident's
 * status is left as it is (it only moves forward by itself).
 *
 * Errors: NOT_FOUND for an unknown id; CONFLICT when it is no longer in force (or was skipped);
 * BAD_USER_INPUT without a reason.
 */
export async function releaseContainment(deps: ContainmentDeps, actor: Actor, input: { id: string; reason: string }): Promise<Containment> {
  requireRole(actor, 'RESPONDER');
  const reason = (input.reason ?? '').trim();
  if (!reason) throw new ValidationError('reason: say why the containment is released', 'reason');
  if (reason.length > 2000) throw new ValidationError('reason: at most 2,000 characters', 'reason');
  if (!UUID.safeParse(input.id).success) throw new NotFoundError('containment', input.id);
  const [row] = await releaseMany(deps, actor, [input.id], 'RELEASED', reason, { strict: true });
  return row!;
}

/**
 * Releases every containment of a request whose expiry has come (the worker's expiry job and sweep).
 * Returns the containments it released; one not due yet, or no longer active, is left alone.
 */
export async function expireContainments(deps: ContainmentDeps, requestId: string): Promise<Containment[]> {
  const due = await deps.db.containment.findMany({
    where: { requestId, status: { in: [...ACTIVE_STATUSES] }, expiresAt: { lte: now(deps) } },
    select: { id: true },
  });
  if (!due.length) return [];
  return releaseMany(deps, SYSTEM_ACTOR, due.map((d) => d.id), 'EXPIRED', 'expired', { strict: false });
}

async function releaseMany(deps: ContainmentDeps, actor: Actor, ids: string[], to: 'RELEASED' | 'EXPIRED', reason: string, opts: { strict: boolean }): Promise<Containment[]> {
  const ref = containmentActorRef(actor);
  const out = await deps.db.$transaction(
    async (tx) => {
      const at = now(deps);
      const rows = await lockActive(tx, ids);
      if (opts.strict) {
        if (!rows.length) throw new NotFoundError('containment', ids[0]!);
        const c = rows[0]!;
        if (c.status === 'SKIPPED') throw new ConflictError(`containment ${c.id} was skipped (${(c.skipped as { reason?: string }[])[0]?.reason ?? 'not applied'}): there is nothing to release`, { status: c.status });
        if (!isActive(c.status)) throw new ConflictError(`containment ${c.id} is already ${c.status}`, { status: c.status });
      }
      const done: { row: Containment; steps: UndoStep[] }[] = [];
      for (const c of rows) {
        if (!isActive(c.status)) continue;
        if (to === 'EXPIRED' && (!c.expiresAt || c.expiresAt > at)) continue;
        done.push(await undoOne(tx, actor, c, to, reason, at));
      }
      for (const d of done) {
        await audit(tx, actor, {
          action: to === 'EXPIRED' ? 'containment.expire' : 'containment.release',
          targetType: 'Containment',
          targetId: d.row.id,
          summary: { kind: d.row.kind, target: d.row.targetKey, reason, undo: d.steps as unknown as Record<string, unknown>[] },
        });
      }
      const live: IncidentLiveEvent[] = [];
      const byIncident = new Map<string, typeof done>();
      for (const d of done) if (d.row.incidentId) byIncident.set(d.row.incidentId, [...(byIncident.get(d.row.incidentId) ?? []), d]);
      for (const [incidentId, list] of byIncident) {
        const first = list[0]!;
        await tx.incidentTimelineEntry.create({
          data: timelineEntry(
            incidentId,
            {
              at: at.getTime(),
              type: 'CONTAINMENT',
              actor: ref,
              summary: `${to === 'EXPIRED' ? 'expired' : 'released'} ${list.length === 1 ? `${first.row.kind.toLowerCase().replaceAll('_', ' ')}, ${undoSummary(first.row, first.steps)}` : `${list.length} containments`}: ${reason}`,
              data: { containmentIds: list.map((d) => d.row.id), status: to, undo: list.slice(0, 20).map((d) => ({ id: d.row.id, steps: d.steps })) },
            },
            `containment-${to.toLowerCase()}:${first.row.id}:${first.row.version}`,
          ),
        });
        live.push({ type: 'INCIDENT', incidentId, change: 'UPDATED', actor: ref });
      }
      return { rows: done.map((d) => d.row), live };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  if (out.rows.length) {
    const first = out.rows[0]!;
    await afterCommit(deps, {
      deliver: out.rows.map((r) => r.id),
      jobKey: `${first.id}.v${first.version}${out.rows.length > 1 ? `.${out.rows.length}` : ''}`,
      expire: null,
      evict: out.rows.flatMap((r) => (r.deviceId ? [r.deviceId] : [])),
      live: [{ type: 'CONTAINMENT', containmentIds: out.rows.map((r) => r.id), change: to, actor: ref }, ...out.live],
    });
  }
  return out.rows;
}

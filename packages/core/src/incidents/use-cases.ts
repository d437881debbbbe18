import type { Alert, Incident, IncidentTimelineEntry, Prisma, ThreatIntelEntry } from '@warden/db';
import { z } from 'zod';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now, type CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { pageSize, readTimeCursor, timeCursor } from '../paging.js';
import { parseDetectionConfig, type DetectionConfig } from '../detection/config.js';
import { threatIntelInputSchema } from '../detection/threat-intel.js';
import { INCIDENT_RESOLUTIONS, INCIDENT_STATUSES, transitionIncident, type IncidentResolution, type IncidentStatus } from './lifecycle.js';
import type { TimelineEntry } from './timeline.js';
import { lockRows } from '../locks.js';

/** How an actor appears in timelines: `user:<id>`, `apikey:<id>` or `system:<name>`. */
export const actorRef = (a: Actor): string => (a.type === 'USER' ? `user:${a.id}` : a.type === 'API_KEY' ? `apikey:${a.id}` : `system:${a.name}`);

const UUID = z.uuid();
function uuid(value: string, field: string): string {
  if (!UUID.safeParse(value).success) throw new ValidationError(`${field}: not an id`, field);
  return value;
}

export interface IncidentPage<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface AlertFilter {
  rules?: string[];
  severities?: string[];
  deviceId?: string;
  segmentId?: string;
  incidentId?: string;
  since?: Date;
  until?: Date;
}

/** Alerts, newest first (VIEWER). */
export async function listAlerts(deps: CoreDeps, actor: Actor, args: { filter?: AlertFilter; first: number; after?: string | null }): Promise<IncidentPage<Alert>> {
  requireRole(actor, 'VIEWER');
  const first = pageSize(deps, args.first);
  const f = args.filter ?? {};
  const where: Prisma.AlertWhereInput = {
    ...(f.rules?.length ? { rule: { in: f.rules } } : {}),
    ...(f.severities?.length ? { severity: { in: f.severities } } : {}),
    ...(f.deviceId ? { deviceId: uuid(f.deviceId, 'filter.deviceId') } : {}),
    ...(f.segmentId ? { segmentId: uuid(f.segmentId, 'filter.segmentId') } : {}),
    ...(f.incidentId ? { incidentId: uuid(f.incidentId, 'filter.incidentId') } : {}),
    ...(f.since || f.until ? { observedAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
  };
  const c = args.after ? readTimeCursor(args.after) : null;
  const rows = await deps.db.alert.findMany({
    where: c ? { AND: [where, { OR: [{ observedAt: { lt: c.at } }, { observedAt: c.at, id: { lt: c.id } }] }] } : where,
    orderBy: [{ observedAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? timeCursor(last.observedAt, last.id) : null };
}

export interface IncidentFilter {
  statuses?: IncidentStatus[];
  severities?: string[];
  segmentId?: string;
  assigneeId?: string;
}

/** Incidents, most recently active first (VIEWER). */
export async function listIncidents(deps: CoreDeps, actor: Actor, args: { filter?: IncidentFilter; first: number; after?: string | null }): Promise<IncidentPage<Incident>> {
  requireRole(actor, 'VIEWER');
  const first = pageSize(deps, args.first);
  const f = args.filter ?? {};
  const where: Prisma.IncidentWhereInput = {
    ...(f.statuses?.length ? { status: { in: f.statuses } } : {}),
    ...(f.severities?.length ? { severity: { in: f.severities } } : {}),
    ...(f.segmentId ? { segmentId: uuid(f.segmentId, 'filter.segmentId') } : {}),
    ...(f.assigneeId ? { assigneeId: uuid(f.assigneeId, 'filter.assigneeId') } : {}),
  };
  const c = args.after ? readTimeCursor(args.after) : null;
  const rows = await deps.db.incident.findMany({
    where: c ? { AND: [where, { OR: [{ lastAlertAt: { lt: c.at } }, { lastAlertAt: c.at, id: { lt: c.id } }] }] } : where,
    orderBy: [{ lastAlertAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? timeCursor(last.lastAlertAt, last.id) : null };
}

export async function getIncident(deps: CoreDeps, actor: Actor, id: string): Promise<Incident | null> {
  requireRole(actor, 'VIEWER');
  if (!UUID.safeParse(id).success) return null;
  return deps.db.incident.findUnique({ where: { id } });
}

/** An incident's timeline, oldest first. */
export async function incidentTimeline(deps: CoreDeps, actor: Actor, incidentId: string): Promise<IncidentTimelineEntry[]> {
  requireRole(actor, 'VIEWER');
  return deps.db.incidentTimelineEntry.findMany({ where: { incidentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
}

const timelineRow = (incidentId: string, e: TimelineEntry): Prisma.IncidentTimelineEntryCreateManyInput => ({
  incidentId,
  at: new Date(e.at),
  type: e.type,
  actor: e.actor,
  summary: e.summary,
  data: e.data as Prisma.InputJsonValue,
});

/** Moves an incident through its lifecycle (RESPONDER); audited, and written to its timeline. */
export async function updateIncidentStatus(
  deps: CoreDeps,
  actor: Actor,
  input: { id: string; status: string; reason?: string | null; resolution?: string | null },
): Promise<Incident> {
  requireRole(actor, 'RESPONDER');
  if (!(INCIDENT_STATUSES as readonly string[]).includes(input.status)) throw new ValidationError(`status: one of ${INCIDENT_STATUSES.join(', ')}`, 'status');
  if (input.resolution && !(INCIDENT_RESOLUTIONS as readonly string[]).includes(input.resolution)) {
    throw new ValidationError(`resolution: one of ${INCIDENT_RESOLUTIONS.join(', ')}`, 'resolution');
  }
  uuid(input.id, 'id');
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM incidents WHERE id = ${input.id}::uuid FOR UPDATE`;
    if (!locked) throw new NotFoundError('incident', input.id);
    const from = locked.status as IncidentStatus;
    const at = now(deps);
    const r = transitionIncident(from, {
      to: input.status as IncidentStatus,
      actor: actorRef(actor),
      at: at.getTime(),
      reason: input.reason ?? undefined,
      resolution: (input.resolution as IncidentResolution | null) ?? undefined,
    });
    const incident = await tx.incident.update({
      where: { id: input.id },
      data: { status: r.status, resolution: r.resolution, closedAt: r.status === 'CLOSED' ? at : null, updatedAt: at },
    });
    await tx.incidentTimelineEntry.create({ data: timelineRow(input.id, r.entry) });
    await audit(tx, actor, { action: 'incident.status', targetType: 'Incident', targetId: input.id, summary: { from, to: r.status, resolution: r.resolution, reason: input.reason ?? null } });
    return incident;
  });
}

/** Assigns an incident to a user, or unassigns it with null (RESPONDER). */
export async function assignIncident(deps: CoreDeps, actor: Actor, input: { id: string; assigneeId: string | null }): Promise<Incident> {
  requireRole(actor, 'RESPONDER');
  uuid(input.id, 'id');
  return deps.db.$transaction(async (tx) => {
    // Locked: two responders assigning at once each record the assignee they replaced.
    await lockRows(tx, 'incidents', input.id);
    const before = await tx.incident.findUnique({ where: { id: input.id } });
    if (!before) throw new NotFoundError('incident', input.id);
    let name: string | null = null;
    if (input.assigneeId) {
      const user = await tx.user.findUnique({ where: { id: uuid(input.assigneeId, 'assigneeId') } });
      if (!user) throw new NotFoundError('user', input.assigneeId);
      name = user.name;
    }
    const at = now(deps);
    const incident = await tx.incident.update({ where: { id: input.id }, data: { assigneeId: input.assigneeId, updatedAt: at } });
    await tx.incidentTimelineEntry.create({
      data: timelineRow(input.id, {
        at: at.getTime(),
        type: 'ASSIGNMENT',
        actor: actorRef(actor),
        summary: name ? `assigned to ${name}` : 'unassigned',
        data: { from: before.assigneeId, to: input.assigneeId },
      }),
    });
    await audit(tx, actor, { action: 'incident.assign', targetType: 'Incident', targetId: input.id, summary: { from: before.assigneeId, to: input.assigneeId } });
    return incident;
  });
}

/** Adds a responder's note to an incident's timeline (RESPONDER). */
export async function addIncidentNote(deps: CoreDeps, actor: Actor, input: { id: string; text: string }): Promise<IncidentTimelineEntry> {
  requireRole(actor, 'RESPONDER');
  uuid(input.id, 'id');
  const text = input.text.trim();
  if (!text || text.length > 10_000) throw new ValidationError('text: 1 to 10,000 characters', 'text');
  return deps.db.$transaction(async (tx) => {
    if (!(await tx.incident.findUnique({ where: { id: input.id }, select: { id: true } }))) throw new NotFoundError('incident', input.id);
    const at = now(deps);
    const entry = await tx.incidentTimelineEntry.create({
      data: timelineRow(input.id, { at: at.getTime(), type: 'NOTE', actor: actorRef(actor), summary: text, data: { author: actor.name } }),
    });
    await tx.incident.update({ where: { id: input.id }, data: { updatedAt: at } });
    await audit(tx, actor, { action: 'incident.note', targetType: 'Incident', targetId: input.id, summary: { length: text.length } });
    return entry;
  });
}

/** The threat-intel list (RESPONDER may read it: it tells what detection looks for). */
export async function listThreatIntel(deps: CoreDeps, actor: Actor): Promise<ThreatIntelEntry[]> {
  requireRole(actor, 'RESPONDER');
  return deps.db.threatIntelEntry.findMany({ orderBy: { createdAt: 'asc' } });
}

/** Adds indicators (ADMIN); an indicator already listed is kept as it is. */
export async function addThreatIntel(deps: CoreDeps, actor: Actor, input: unknown[]): Promise<ThreatIntelEntry[]> {
  requireRole(actor, 'ADMIN');
  if (!input.length || input.length > 10_000) throw new ValidationError('entries: 1 to 10,000 indicators', 'entries');
  const parsed = input.map((e, i) => {
    const r = threatIntelInputSchema.safeParse(e);
    if (!r.success) throw new ValidationError(`entries.${i}.${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`, `entries.${i}`);
    return r.data;
  });
  return deps.db.$transaction(async (tx) => {
    await tx.threatIntelEntry.createMany({
      data: parsed.map((p) => ({ value: p.value, label: p.label ?? null, source: p.source ?? null, createdBy: actor.name })),
      skipDuplicates: true,
    });
    const rows = await tx.threatIntelEntry.findMany({ where: { value: { in: parsed.map((p) => p.value) } } });
    await audit(tx, actor, { action: 'threatIntel.add', targetType: 'ThreatIntel', summary: { values: parsed.map((p) => p.value).slice(0, 100), count: parsed.length } });
    return rows;
  });
}

/** Removes indicators by id (ADMIN); returns how many were removed. */
export async function removeThreatIntel(deps: CoreDeps, actor: Actor, ids: string[]): Promise<number> {
  requireRole(actor, 'ADMIN');
  ids.forEach((id, i) => uuid(id, `ids.${i}`));
  return deps.db.$transaction(async (tx) => {
    const gone = await tx.threatIntelEntry.findMany({ where: { id: { in: ids } }, select: { value: true } });
    const { count } = await tx.threatIntelEntry.deleteMany({ where: { id: { in: ids } } });
    await audit(tx, actor, { action: 'threatIntel.remove', targetType: 'ThreatIntel', summary: { values: gone.map((g) => g.value).slice(0, 100), count } });
    return count;
  });
}

/** The detection configuration in force, with every default filled in (RESPONDER). */
export async function getDetectionConfig(deps: CoreDeps, actor: Actor): Promise<{ config: DetectionConfig; updatedAt: Date | null; updatedBy: string | null }> {
  requireRole(actor, 'RESPONDER');
  const row = await deps.db.detectionSettings.findUnique({ where: { id: 1 } });
  return { config: parseDetectionConfig(row?.config ?? {}), updatedAt: row?.updatedAt ?? null, updatedBy: row?.updatedBy ?? null };
}

/**
 * Replaces the detection configuration (ADMIN). It is validated whole (unknown fields refused,
 * errors name the field) and stored with its defaults filled in; stream processors pick it up
 * within DETECTION_RELOAD_MS.
 */
export async function updateDetectionConfig(deps: CoreDeps, actor: Actor, input: unknown): Promise<{ config: DetectionConfig; updatedAt: Date | null; updatedBy: string | null }> {
  requireRole(actor, 'ADMIN');
  const config = parseDetectionConfig(input);
  return deps.db.$transaction(async (tx) => {
    const before = await tx.detectionSettings.findUnique({ where: { id: 1 } });
    const at = now(deps);
    const data = { config: config as unknown as Prisma.InputJsonValue, updatedAt: at, updatedBy: actor.name };
    await tx.detectionSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
    await audit(tx, actor, { action: 'detection.config.update', targetType: 'DetectionConfig', targetId: '1', summary: { before: before?.config ?? null, after: config } });
    return { config, updatedAt: at, updatedBy: actor.name };
  });
}

import type { Prisma } from '@warden/db';
import { audit } from '../audit/audit.js';
import type { Actor } from '../auth/roles.js';
import { transitionIncident, type IncidentStatus } from '../incidents/lifecycle.js';
import type { TimelineEntry } from '../incidents/timeline.js';
import { ACTIVE_STATUSES, incidentContainment, stepsToContained, type Touched } from './plan.js';

type Tx = Prisma.TransactionClient;

/**
 * How an actor appears on containments, events and timelines: `user:<id>`, `apikey:<id>`, or for
 * Warden itself its name when it already is a reference (`playbook-run:<id>`), else `system:<name>`.
 */
export function containmentActorRef(a: Actor): string {
  if (a.type === 'USER') return `user:${a.id}`;
  if (a.type === 'API_KEY') return `apikey:${a.id}`;
  return /^[a-z-]+:\S+$/.test(a.name) ? a.name : `system:${a.name}`;
}

export const timelineEntry = (incidentId: string, e: TimelineEntry, dedupKey: string): Prisma.IncidentTimelineEntryCreateInput => ({
  incident: { connect: { id: incidentId } },
  at: new Date(e.at),
  type: e.type,
  actor: e.actor,
  summary: e.summary,
  data: e.data as Prisma.InputJsonValue,
  dedupKey,
});

/**
 * Moves an incident to CONTAINED (through TRIAGED when it is OPEN) once every one of its devices is
 * quarantined or on an isolated segment without an exemption; only forward, and only from OPEN or
 * TRIAGED. Each move is a timeline entry and an audit row. Returns the incident's status after.
 */
export async function advanceIncidentIfContained(tx: Tx, actor: Actor, incidentId: string, at: Date): Promise<{ status: string; moved: boolean }> {
  const [incident] = await tx.$queryRaw<{ status: string; device_ids: string[]; segment_id: string | null }[]>`
    SELECT status, device_ids::text[] AS device_ids, segment_id::text FROM incidents WHERE id = ${incidentId}::uuid FOR UPDATE`;
  if (!incident) return { status: 'UNKNOWN', moved: false };
  const steps = stepsToContained(incident.status);
  if (!steps.length) return { status: incident.status, moved: false };
  const devices = incident.device_ids.length
    ? await tx.device.findMany({ where: { id: { in: incident.device_ids } }, select: { id: true, segmentId: true, status: true } })
    : [];
  const segmentIds = [...new Set([...devices.map((d) => d.segmentId), incident.segment_id].filter((s): s is string => !!s))];
  const isolations = segmentIds.length
    ? await tx.containment.findMany({ where: { kind: 'ISOLATE_SEGMENT', segmentId: { in: segmentIds }, status: { in: [...ACTIVE_STATUSES] } }, select: { segmentId: true, touched: true } })
    : [];
  const isolated = new Map<string, Set<string>>();
  for (const i of isolations) isolated.set(i.segmentId!, new Set((i.touched as unknown as Extract<Touched, { kind: 'ISOLATE_SEGMENT' }>).exemptDeviceIds ?? []));
  const verdict = incidentContainment(
    { deviceIds: incident.device_ids, segmentId: incident.segment_id },
    {
      quarantined: new Set(devices.filter((d) => d.status === 'QUARANTINED').map((d) => d.id)),
      isolatedSegments: isolated,
      segmentOf: new Map(devices.map((d) => [d.id, d.segmentId])),
    },
  );
  if (!verdict.contained) return { status: incident.status, moved: false };
  let from = incident.status as IncidentStatus;
  for (const to of steps) {
    const r = transitionIncident(from, { to, actor: 'system:containment', at: at.getTime(), reason: 'every device of the incident is contained' });
    await tx.incidentTimelineEntry.create({ data: timelineEntry(incidentId, r.entry, `containment-status:${incidentId}:${to}:${at.getTime()}`) });
    await audit(tx, actor, { action: 'incident.status', targetType: 'Incident', targetId: incidentId, summary: { from, to, automatic: true, reason: 'every device of the incident is contained' } });
    from = to;
  }
  await tx.incident.update({ where: { id: incidentId }, data: { status: from, updatedAt: at } });
  return { status: from, moved: true };
}

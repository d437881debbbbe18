import type { Incident } from '@warden/db';
import { blastRadiusTiers } from '../blast-radius/query.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { IncidentSeverity } from '../incidents/severity.js';
import type { IncidentStatus } from '../incidents/lifecycle.js';
import type { Condition, IncidentSnapshot } from './conditions.js';
import type { ResolvedSelectors } from './planner.js';
import type { Playbook } from './schema.js';

/** What a playbook sees of an incident when it plans or re-checks a condition. */
export interface IncidentContext {
  incident: Incident;
  snapshot: IncidentSnapshot;
  selectors: ResolvedSelectors;
}

type Tiers = Record<1 | 2 | 3 | 4, string[]>;
const NO_TIERS = (): Tiers => ({ 1: [], 2: [], 3: [], 4: [] });

/** How far over the contact graph playbooks follow the blast radius. */
export const PLAYBOOK_BLAST_RADIUS_HOPS = 2;

/** Whether anything in the playbook reads the blast radius (selectors or conditions). */
export function needsBlastRadius(p: Playbook): boolean {
  const inCondition = (c: Condition | undefined): boolean => {
    if (!c) return false;
    if ('all' in c) return c.all.some(inCondition);
    if ('any' in c) return c.any.some(inCondition);
    if ('not' in c) return inCondition(c.not);
    return c.field.startsWith('blast_radius.');
  };
  return (
    inCondition(p.when) ||
    p.steps.some((s) => inCondition(s.when) || (s.type === 'wait' && inCondition(s.until)) || ('targets' in s && typeof s.targets === 'object' && s.targets.from === 'blast_radius'))
  );
}

/**
 * Reads an incident as playbooks see it: the snapshot conditions test, and what selectors resolve
 * to (its devices, segments, destinations, blast-radius tiers, fail-safe and unpatchable devices,
 * webhook subscribers). `blastRadius: false` skips the blast-radius query (counts read as 0).
 */
export async function loadIncidentContext(deps: CoreDeps, incidentId: string, opts: { blastRadius: boolean }): Promise<IncidentContext> {
  const incident = await deps.db.incident.findUnique({ where: { id: incidentId } });
  if (!incident) throw new NotFoundError('incident', incidentId);
  const [alerts, tiers, subscriptions] = await Promise.all([
    deps.db.alert.findMany({ where: { incidentId }, select: { evidence: true }, take: 5000 }),
    opts.blastRadius ? blastRadiusTiers(deps, incidentId, { maxHops: PLAYBOOK_BLAST_RADIUS_HOPS }) : Promise.resolve(NO_TIERS()),
    deps.db.webhookSubscription.findMany({ where: { enabled: true }, select: { name: true, events: true } }),
  ]);
  const involved = [...new Set([...incident.deviceIds, ...tiers[1], ...tiers[2], ...tiers[3], ...tiers[4]])];
  const devices = involved.length
    ? await deps.db.device.findMany({ where: { id: { in: involved } }, select: { id: true, segmentId: true, failSafe: true, model: { select: { otaCapable: true } } } })
    : [];
  const byId = new Map(devices.map((d) => [d.id, d]));
  const incidentSegments = [...new Set([incident.segmentId, ...incident.deviceIds.map((id) => byId.get(id)?.segmentId)].filter((s): s is string => !!s))];
  const failSafeSegments = incidentSegments.length
    ? (await deps.db.device.groupBy({ by: ['segmentId'], where: { segmentId: { in: incidentSegments }, failSafe: true, status: { not: 'RETIRED' } } })).map((g) => g.segmentId!)
    : [];
  const destinations = new Set<string>();
  for (const a of alerts) {
    const list = (a.evidence as { destinations?: unknown }).destinations;
    if (Array.isArray(list)) for (const d of list) if (typeof d === 'string') destinations.add(d);
  }
  const webhookSubscribers: Record<string, string[]> = {};
  for (const s of subscriptions) for (const e of s.events) (webhookSubscribers[e] ??= []).push(s.name);
  const snapshot: IncidentSnapshot = {
    id: incident.id,
    status: incident.status as IncidentStatus,
    severity: incident.severity as IncidentSeverity,
    rules: [incident.rule],
    deviceIds: incident.deviceIds,
    segmentIds: incidentSegments,
    destinations: [...destinations],
    criticalDeviceCount: incident.criticalDeviceIds.length,
    openedAt: incident.firstAlertAt.getTime(),
    blastRadius: { 1: tiers[1].length, 2: tiers[2].length, 3: tiers[3].length, 4: tiers[4].length },
  };
  return {
    incident,
    snapshot,
    selectors: {
      incidentDevices: incident.deviceIds,
      incidentSegments,
      incidentDestinations: [...destinations],
      blastRadiusTiers: tiers,
      failSafeDevices: devices.filter((d) => d.failSafe).map((d) => d.id),
      failSafeSegments,
      unpatchableDevices: devices.filter((d) => !d.model.otaCapable).map((d) => d.id),
      webhookSubscribers,
    },
  };
}

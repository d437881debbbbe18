import type { Alert, Incident } from '@warden/db';
import {
  actorRef,
  addIncidentNote,
  addThreatIntel,
  assignIncident,
  getDetectionConfig,
  getIncident,
  incidentTimeline,
  listAlerts,
  listIncidents,
  listThreatIntel,
  removeThreatIntel,
  requireRole,
  updateDetectionConfig,
  updateIncidentStatus,
  type IncidentLiveEvent,
} from '@warden/core';
import type { GraphQLContext } from '../../context.js';
import { mapLive } from '../../incident-live.js';
import type { Module } from '../module.js';

type Ctx = GraphQLContext;

const page = <T>(p: { nodes: T[]; hasNextPage: boolean; endCursor: string | null }) => ({
  nodes: p.nodes,
  pageInfo: { hasNextPage: p.hasNextPage, hasPreviousPage: false, startCursor: null, endCursor: p.endCursor },
});

const clean = <T extends Record<string, unknown>>(o: T | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: NonNullable<T[K]> };

/**
 * Tells other instances' subscribers, and the worker (playbook waits, webhooks); the change itself
 * is already committed. Both are best effort: a lost wake-up is caught by the worker's sweep.
 */
const changed = async (ctx: Ctx, incidentId: string, change: Extract<IncidentLiveEvent, { type: 'INCIDENT' }>['change']) => {
  const actor = ctx.actor ? actorRef(ctx.actor) : 'system:api';
  await ctx.services.incidentLive.publish({ type: 'INCIDENT', incidentId, change, actor });
  await ctx.services.jobs.enqueue('incident.changed', { incidentId, change, actor, alertIds: [], at: Date.now() }).catch(() => {});
};

/** Alerts, incidents (lifecycle, assignment, notes, timeline), threat intel and detection settings in GraphQL. */
export const incidentsModule: Module = {
  typeDefs: /* GraphQL */ `
    enum AlertRule {
      WORM_FAN_OUT
      THREAT_INTEL_DESTINATION
      TRAFFIC_ANOMALY
      AUTH_FAILURE_BURST
      FIRMWARE_HASH_MISMATCH
      SEGMENT_SILENCE
      FORBIDDEN_DESTINATION
    }

    enum Severity {
      LOW
      MEDIUM
      HIGH
      CRITICAL
    }

    "NIST SP 800-61 phases. Forward one phase at a time; back one with a reason; CLOSED from OPEN/TRIAGED only as not-an-incident."
    enum IncidentStatus {
      OPEN
      TRIAGED
      CONTAINED
      ERADICATED
      RECOVERED
      CLOSED
    }

    enum IncidentResolution {
      RESOLVED
      FALSE_POSITIVE
      DUPLICATE
      BENIGN
    }

    "Something detection saw, stored once per rule, subject and window."
    type Alert {
      id: ID!
      "rule:subject:window bucket; unique."
      dedupKey: String!
      rule: AlertRule!
      severity: Severity!
      device: Device
      segment: Segment
      summary: String!
      "Rule-specific facts: peers, ports, destinations, observed vs. baseline."
      evidence: JSON!
      windowStart: DateTime!
      "When the condition was observed (device time)."
      observedAt: DateTime!
      incident: Incident
    }

    type AlertConnection {
      nodes: [Alert!]!
      pageInfo: PageInfo!
    }

    input AlertFilter {
      rules: [AlertRule!]
      severities: [Severity!]
      deviceId: ID
      segmentId: ID
      incidentId: ID
      since: DateTime
      until: DateTime
    }

    "One line of an incident's history: alerts, status changes, assignments, notes, actions."
    type IncidentTimelineEntry {
      at: DateTime!
      "ALERT, STATUS, SEVERITY, ASSIGNMENT, NOTE, CONTAINMENT, PLAYBOOK or ROLLOUT (an emergency patch)."
      type: String!
      "user:<id>, apikey:<id>, playbook-run:<id> or system:<component>."
      actor: String!
      summary: String!
      data: JSON!
    }

    "Alerts of one segment and rule close in time, handled as one."
    type Incident {
      id: ID!
      title: String!
      rule: AlertRule!
      severity: Severity!
      status: IncidentStatus!
      resolution: IncidentResolution
      segment: Segment
      assignee: User
      devices: [Device!]!
      alertCount: Int!
      firstAlertAt: DateTime!
      lastAlertAt: DateTime!
      createdAt: DateTime!
      updatedAt: DateTime!
      closedAt: DateTime
      "Newest first."
      alerts(first: Int = 50, after: String): AlertConnection!
      "Oldest first."
      timeline: [IncidentTimelineEntry!]!
    }

    type IncidentConnection {
      nodes: [Incident!]!
      pageInfo: PageInfo!
    }

    input IncidentFilter {
      statuses: [IncidentStatus!]
      severities: [Severity!]
      segmentId: ID
      assigneeId: ID
    }

    type ThreatIntelEntry {
      id: ID!
      "An IPv4/IPv6 address or CIDR."
      value: String!
      label: String
      source: String
      createdAt: DateTime!
      createdBy: String
    }

    input ThreatIntelInput {
      value: String!
      label: String
      source: String
    }

    "Detection windows and thresholds (core/detection/config.ts), every default filled in."
    type DetectionConfig {
      config: JSON!
      updatedAt: DateTime
      updatedBy: String
    }

    "A change to an incident, as subscribers see it."
    type IncidentChange {
      "CREATED, UPDATED (alerts attached), STATUS, ASSIGNED or NOTE."
      change: String!
      actor: String!
      incident: Incident!
    }

    extend type Query {
      "Alerts, newest first (VIEWER)."
      alerts(filter: AlertFilter, first: Int = 50, after: String): AlertConnection!
      "Incidents, most recently active first (VIEWER)."
      incidents(filter: IncidentFilter, first: Int = 50, after: String): IncidentConnection!
      "One incident with its alerts and timeline (VIEWER)."
      incident(id: ID!): Incident
      "The threat-intel list detection matches destinations against (RESPONDER)."
      threatIntel: [ThreatIntelEntry!]!
      "The detection configuration in force (RESPONDER)."
      detectionConfig: DetectionConfig!
    }

    extend type Mutation {
      "Moves an incident through its lifecycle (RESPONDER). Going back or reopening needs a reason; closing needs a resolution."
      updateIncidentStatus(id: ID!, status: IncidentStatus!, reason: String, resolution: IncidentResolution): Incident!
      "Assigns an incident to a user; null unassigns (RESPONDER)."
      assignIncident(id: ID!, assigneeId: ID): Incident!
      "Adds a note to an incident's timeline (RESPONDER)."
      addIncidentNote(id: ID!, text: String!): IncidentTimelineEntry!
      "Adds indicators to the threat-intel list; ones already listed are kept (ADMIN)."
      addThreatIntel(entries: [ThreatIntelInput!]!): [ThreatIntelEntry!]!
      "Removes indicators; returns how many were removed (ADMIN)."
      removeThreatIntel(ids: [ID!]!): Int!
      "Replaces the detection configuration; unknown fields are refused, errors name the field (ADMIN)."
      updateDetectionConfig(config: JSON!): DetectionConfig!
    }

    type Subscription {
      "Every new alert, as detection stores it (VIEWER)."
      alertRaised: Alert!
      "Incidents opened, grown by new alerts, or changed by responders (VIEWER)."
      incidentChanged: IncidentChange!
    }
  `,
  resolvers: {
    Alert: {
      device: (a: Alert, _: unknown, ctx: Ctx) => (a.deviceId ? ctx.deps.db.device.findUnique({ where: { id: a.deviceId } }) : null),
      segment: (a: Alert, _: unknown, ctx: Ctx) => (a.segmentId ? ctx.loaders.segment.load(a.segmentId) : null),
      incident: (a: Alert, _: unknown, ctx: Ctx) => (a.incidentId ? ctx.deps.db.incident.findUnique({ where: { id: a.incidentId } }) : null),
    },
    Incident: {
      segment: (i: Incident, _: unknown, ctx: Ctx) => (i.segmentId ? ctx.loaders.segment.load(i.segmentId) : null),
      assignee: (i: Incident, _: unknown, ctx: Ctx) => (i.assigneeId ? ctx.deps.db.user.findUnique({ where: { id: i.assigneeId } }) : null),
      devices: (i: Incident, _: unknown, ctx: Ctx) => (i.deviceIds.length ? ctx.deps.db.device.findMany({ where: { id: { in: i.deviceIds } }, orderBy: { serial: 'asc' } }) : []),
      alerts: async (i: Incident, a: { first: number; after?: string | null }, ctx: Ctx) =>
        page(await listAlerts(ctx.deps, ctx.actor!, { filter: { incidentId: i.id }, first: a.first, after: a.after ?? null })),
      timeline: (i: Incident, _: unknown, ctx: Ctx) => incidentTimeline(ctx.deps, ctx.actor!, i.id),
    },
    Query: {
      alerts: async (_: unknown, a: { filter?: Record<string, unknown> | null; first: number; after?: string | null }, ctx: Ctx) =>
        page(await listAlerts(ctx.deps, ctx.actor!, { filter: clean(a.filter), first: a.first, after: a.after ?? null })),
      incidents: async (_: unknown, a: { filter?: Record<string, unknown> | null; first: number; after?: string | null }, ctx: Ctx) =>
        page(await listIncidents(ctx.deps, ctx.actor!, { filter: clean(a.filter), first: a.first, after: a.after ?? null })),
      incident: (_: unknown, a: { id: string }, ctx: Ctx) => getIncident(ctx.deps, ctx.actor!, a.id),
      threatIntel: (_: unknown, __: unknown, ctx: Ctx) => listThreatIntel(ctx.deps, ctx.actor!),
      detectionConfig: (_: unknown, __: unknown, ctx: Ctx) => getDetectionConfig(ctx.deps, ctx.actor!),
    },
    Mutation: {
      updateIncidentStatus: async (_: unknown, a: { id: string; status: string; reason?: string | null; resolution?: string | null }, ctx: Ctx) => {
        const incident = await updateIncidentStatus(ctx.deps, ctx.actor!, a);
        await changed(ctx, incident.id, 'STATUS');
        return incident;
      },
      assignIncident: async (_: unknown, a: { id: string; assigneeId?: string | null }, ctx: Ctx) => {
        const incident = await assignIncident(ctx.deps, ctx.actor!, { id: a.id, assigneeId: a.assigneeId ?? null });
        await changed(ctx, incident.id, 'ASSIGNED');
        return incident;
      },
      addIncidentNote: async (_: unknown, a: { id: string; text: string }, ctx: Ctx) => {
        const entry = await addIncidentNote(ctx.deps, ctx.actor!, a);
        await changed(ctx, a.id, 'NOTE');
        return entry;
      },
      addThreatIntel: (_: unknown, a: { entries: unknown[] }, ctx: Ctx) => addThreatIntel(ctx.deps, ctx.actor!, a.entries.map((e) => clean(e as Record<string, unknown>))),
      removeThreatIntel: (_: unknown, a: { ids: string[] }, ctx: Ctx) => removeThreatIntel(ctx.deps, ctx.actor!, a.ids),
      updateDetectionConfig: (_: unknown, a: { config: unknown }, ctx: Ctx) => updateDetectionConfig(ctx.deps, ctx.actor!, a.config),
    },
    Subscription: {
      alertRaised: {
        subscribe: (_: unknown, __: unknown, ctx: Ctx) => {
          requireRole(ctx.actor, 'VIEWER');
          return mapLive(ctx.services.incidentLive.subscribe(), async (e) => {
            if (e.type !== 'ALERT') return null;
            const alert = await ctx.deps.db.alert.findUnique({ where: { id: e.alert.id } });
            return alert ? { alertRaised: alert } : null;
          });
        },
      },
      incidentChanged: {
        subscribe: (_: unknown, __: unknown, ctx: Ctx) => {
          requireRole(ctx.actor, 'VIEWER');
          return mapLive(ctx.services.incidentLive.subscribe(), async (e) => {
            if (e.type !== 'INCIDENT') return null;
            const incident = await ctx.deps.db.incident.findUnique({ where: { id: e.incidentId } });
            return incident ? { incidentChanged: { change: e.change, actor: e.actor, incident } } : null;
          });
        },
      },
    },
  },
};

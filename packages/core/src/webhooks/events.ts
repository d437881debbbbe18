import type { ContainmentEventV1 } from '@warden/contracts/incidents';
import type { Alert, Incident } from '@warden/db';
import type { WebhookEvent } from './dispatch.js';

/** How an incident appears in webhook payloads. */
export function incidentView(i: Incident) {
  return {
    id: i.id,
    title: i.title,
    rule: i.rule,
    severity: i.severity,
    status: i.status,
    resolution: i.resolution,
    segmentId: i.segmentId,
    assigneeId: i.assigneeId,
    deviceCount: i.deviceIds.length,
    /** The first 500 devices (deviceCount says how many there are). */
    deviceIds: i.deviceIds.slice(0, 500),
    alertCount: i.alertCount,
    firstAlertAt: i.firstAlertAt.toISOString(),
    lastAlertAt: i.lastAlertAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

/** `alert.raised`: the alert as alerts.v1 describes it, and its incident. Its id is the alert's. */
export function alertRaisedEvent(a: Alert): WebhookEvent {
  return {
    id: `alert.${a.id}`,
    type: 'alert.raised',
    occurredAt: a.createdAt,
    data: {
      alert: {
        id: a.id,
        dedupKey: a.dedupKey,
        rule: a.rule,
        severity: a.severity,
        deviceId: a.deviceId,
        segmentId: a.segmentId,
        summary: a.summary,
        evidence: a.evidence,
        windowStart: a.windowStart.toISOString(),
        observedAt: a.observedAt.toISOString(),
      },
      incidentId: a.incidentId,
    },
  };
}

/** `incident.opened` (detection created it) or `incident.changed` (anything since), one event per change. */
export function incidentEvent(i: Incident, change: string, actor: string, at: number): WebhookEvent {
  const opened = change === 'CREATED';
  return {
    id: opened ? `incident.${i.id}.opened` : `incident.${i.id}.${change.toLowerCase()}.${at}`,
    type: opened ? 'incident.opened' : 'incident.changed',
    occurredAt: new Date(at),
    data: { incident: incidentView(i), change, actor },
  };
}

/** `containment.applied` or `containment.released`: the containment.v1 event, one per containment version. */
export function containmentWebhookEvent(e: ContainmentEventV1): WebhookEvent {
  return {
    id: `containment.${e.containmentId}.${e.version}`,
    type: e.status === 'RELEASED' ? 'containment.released' : 'containment.applied',
    occurredAt: e.at,
    data: { containment: e },
  };
}

import type { JobQueue } from '@warden/contracts';
import type { ContainmentOutlets } from '@warden/core/containment';
import { containmentWebhookEvent } from '@warden/core/webhooks';

/**
 * Containment events for webhook subscribers (`containment.applied`, `containment.released`):
 * queued once Kafka has the event, inside the delivery's retry loop, so a subscriber hears of
 * every version at least once; deliveries are unique per subscription and event id. An incident's
 * containment also counts as a change of the incident (`incident.changed`: webhooks, and playbook
 * runs waiting for it to be contained), once per request.
 */
export function withContainmentWebhooks(events: ContainmentOutlets['events'], jobs: JobQueue): ContainmentOutlets['events'] {
  return {
    async publish(records) {
      await events.publish(records);
      for (const r of records) {
        const e = containmentWebhookEvent(r.event);
        await jobs.enqueue('webhook.event', { id: e.id, type: e.type, occurredAt: new Date(e.occurredAt).toISOString(), data: e.data }, { jobId: `event.${e.id}` });
      }
      const incidents = new Map(records.filter((r) => r.event.incidentId).map((r) => [`${r.event.incidentId}.${r.event.at}`, r.event]));
      for (const e of incidents.values()) {
        const at = Date.parse(e.at);
        await jobs.enqueue('incident.changed', { incidentId: e.incidentId!, change: 'CONTAINMENT', actor: e.actor, alertIds: [], at }, { jobId: `incident.${e.incidentId}.containment.${at}` });
      }
    },
  };
}

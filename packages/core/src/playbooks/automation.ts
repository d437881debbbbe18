import { now } from '../context.js';
import { dispatchWebhookEvent, sweepWebhookDeliveries } from '../webhooks/dispatch.js';
import { alertRaisedEvent, incidentEvent } from '../webhooks/events.js';
import type { PlaybookDeps } from './deps.js';
import { TERMINAL_RUN_STATUSES } from './run-store.js';
import { triggerPlaybooksForIncident, wakeRun } from './runs.js';

export interface IncidentChange {
  incidentId: string;
  change: 'CREATED' | 'UPDATED' | 'STATUS' | 'ASSIGNED' | 'NOTE' | 'CONTAINMENT';
  actor: string;
  alertIds: string[];
  /** Epoch ms of the change. */
  at: number;
}

/**
 * What an incident change sets off (the `incident.changed` job, enqueued by the stream processor
 * after it commits a batch that opened or grew incidents, and by the API after a responder's
 * change): start the playbooks whose trigger now matches (once per playbook and incident), wake
 * runs waiting on the incident, and tell webhook subscribers. Each part is idempotent, so the job
 * may run twice.
 */
export async function onIncidentChanged(deps: PlaybookDeps, c: IncidentChange): Promise<{ started: string[]; woken: number; events: number }> {
  const incident = await deps.db.incident.findUnique({ where: { id: c.incidentId } });
  if (!incident) return { started: [], woken: 0, events: 0 };
  const started = await triggerPlaybooksForIncident(deps, c.incidentId);
  const waiting = await deps.db.playbookRun.findMany({ where: { incidentId: c.incidentId, status: 'WAITING' }, select: { id: true } });
  for (const r of waiting) await wakeRun(deps, r.id, `incident.${c.at}`);
  let events = 0;
  if (c.alertIds.length) {
    const alerts = await deps.db.alert.findMany({ where: { id: { in: c.alertIds } } });
    for (const a of alerts) events += await dispatchWebhookEvent(deps, alertRaisedEvent(a));
  }
  events += await dispatchWebhookEvent(deps, incidentEvent(incident, c.change, c.actor, c.at));
  return { started: started.map((r) => r.id), woken: waiting.length, events };
}

/**
 * The safety net (repeating `playbook.sweep`): runs whose wake-up is overdue or that look stuck
 * mid-step (their job lost with a Redis restart), triggers of incidents active lately (an
 * `incident.changed` job lost between a commit and its enqueue), and overdue webhook deliveries.
 */
export async function sweepPlaybooks(deps: PlaybookDeps, opts: { stuckAfterMs?: number; recentMs?: number } = {}): Promise<{ runs: number; triggered: number; deliveries: number }> {
  const at = now(deps).getTime();
  const runs = await deps.db.playbookRun.findMany({
    where: {
      dryRun: false,
      status: { notIn: [...TERMINAL_RUN_STATUSES] },
      OR: [{ wakeAt: { lte: new Date(at - 2000) } }, { status: 'RUNNING', updatedAt: { lte: new Date(at - (opts.stuckAfterMs ?? 120_000)) } }],
    },
    select: { id: true, revision: true },
    take: 500,
  });
  for (const r of runs) await wakeRun(deps, r.id, `sweep.${r.revision}`);
  const autoPlaybooks = await deps.db.playbook.count({ where: { enabled: true, autoTrigger: true } });
  const recent = !autoPlaybooks ? [] : await deps.db.incident.findMany({
    where: { status: { in: ['OPEN', 'TRIAGED'] }, updatedAt: { gte: new Date(at - (opts.recentMs ?? 600_000)) } },
    select: { id: true },
    take: 200,
  });
  let triggered = 0;
  for (const i of recent) triggered += (await triggerPlaybooksForIncident(deps, i.id)).length;
  const deliveries = await sweepWebhookDeliveries(deps);
  return { runs: runs.length, triggered, deliveries };
}

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
 * Runs nobody is advancing: a wake-up overdue by more than a few seconds, or no wake-up at all (a
 * run mid-step) and no change for `stuckAfterMs`, and in either case no worker holding the run's
 * lock (`advancePlaybookRun` holds it for as long as it works on the run, so a free lock means no
 * live worker is on it, e.g. its job died with a worker that was killed twice in one step, or was
 * lost with a Redis restart). Taking each lock for the instant of one statement tells which.
 */
export async function stuckPlaybookRuns(deps: Pick<PlaybookDeps, 'sql'>, at: number, stuckAfterMs: number): Promise<{ id: string; revision: number }[]> {
  const { rows: candidates } = await deps.sql.query<{ id: string; revision: number }>(
    `SELECT id, revision FROM playbook_runs
      WHERE NOT dry_run AND status <> ALL ($1::text[])
        AND (wake_at <= $2 OR (wake_at IS NULL AND updated_at <= $3))
      ORDER BY updated_at LIMIT 500`,
    [TERMINAL_RUN_STATUSES, new Date(at - 2000), new Date(at - stuckAfterMs)],
  );
  if (!candidates.length) return [];
  // One statement is its own transaction: each lock it takes is released as it ends.
  const { rows } = await deps.sql.query<{ id: string }>(
    `SELECT id FROM unnest($1::text[]) AS id WHERE pg_try_advisory_xact_lock(hashtextextended('playbook-run:' || id, 0))`,
    [candidates.map((c) => c.id)],
  );
  const free = new Set(rows.map((r) => r.id));
  return candidates.filter((c) => free.has(c.id));
}

/**
 * The safety net (repeating `playbook.sweep`, and once when a worker starts): runs nobody is
 * advancing (see `stuckPlaybookRuns`), triggers of incidents active lately (an `incident.changed`
 * job lost between a commit and its enqueue), and overdue webhook deliveries.
 */
export async function sweepPlaybooks(deps: PlaybookDeps, opts: { stuckAfterMs?: number; recentMs?: number } = {}): Promise<{ runs: number; triggered: number; deliveries: number }> {
  const at = now(deps).getTime();
  const runs = await stuckPlaybookRuns(deps, at, opts.stuckAfterMs ?? 5000);
  // A fresh job id per minute: a wake-up job that failed (kept for inspection) must not swallow the next one.
  for (const r of runs) await wakeRun(deps, r.id, `sweep.${r.revision}.${Math.floor(at / 60_000)}`);
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

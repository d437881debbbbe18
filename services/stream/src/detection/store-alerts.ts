import type { AlertV1 } from '@warden/contracts/incidents';
import {
  alertTimelineEntry,
  correlateAlert,
  correlationKey,
  initialCorrelationState,
  severityTimelineEntry,
  toAlertV1,
  type AlertDraft,
  type CorrelationConfig,
  type OpenIncident,
  type TimelineEntry,
} from '@warden/core';
import type { SqlClient } from '@warden/db';

/** What a committed transaction raised, for live subscribers (published after the commit). */
export interface DetectionNotice {
  alerts: AlertV1[];
  /** Incidents created or changed, with whether they are new. */
  incidents: { id: string; created: boolean }[];
  /** The incident each new alert joined (alert id → incident id). */
  alertIncidents?: Record<string, string>;
}

export interface StoreAlertsDeps {
  correlation: CorrelationConfig;
  /** Publishes new alerts to `warden.alerts.v1`; called before the commit (at least once). */
  publishAlerts(alerts: AlertV1[]): Promise<void>;
  /** Whether a device's criticality is HIGH or CRITICAL (weighs incident severity). */
  isCritical?(deviceId: string): boolean;
}

const ALERT_COLUMNS = 'id, dedup_key, rule, severity, device_id, segment_id, summary, evidence, window_start, observed_at';

/**
 * Stores alert drafts once (`ON CONFLICT (dedup_key) DO NOTHING`), inside the caller's
 * transaction, correlates the new ones into incidents with their timeline, and publishes them.
 * Shared by per-batch detection and the liveness sweep's segment-wide rules.
 */
export async function storeAlerts(tx: SqlClient, drafts: AlertDraft[], deps: StoreAlertsDeps): Promise<DetectionNotice> {
  const notice: DetectionNotice = { alerts: [], incidents: [] };
  if (!drafts.length) return notice;
  const { rows: fresh } = await tx.query<{ id: string }>(
    `INSERT INTO alerts (${ALERT_COLUMNS})
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::jsonb[], $9::timestamptz[], $10::timestamptz[])
     ON CONFLICT (dedup_key) DO NOTHING
     RETURNING id`,
    [
      drafts.map((a) => a.id),
      drafts.map((a) => a.dedupKey),
      drafts.map((a) => a.rule),
      drafts.map((a) => a.severity),
      drafts.map((a) => a.deviceId),
      drafts.map((a) => a.segmentId),
      drafts.map((a) => a.summary),
      drafts.map((a) => JSON.stringify(a.evidence)),
      drafts.map((a) => new Date(a.windowStart).toISOString()),
      drafts.map((a) => new Date(a.observedAt).toISOString()),
    ],
  );
  if (!fresh.length) return notice;
  const freshIds = new Set(fresh.map((r) => r.id));
  const created = drafts.filter((a) => freshIds.has(a.id)).sort((a, b) => a.observedAt - b.observedAt);
  const correlated = await correlate(tx, created, deps.correlation, deps.isCritical ?? (() => false));
  notice.incidents = correlated.incidents;
  notice.alertIncidents = correlated.alertIncidents;
  notice.alerts = created.map(toAlertV1);
  await deps.publishAlerts(notice.alerts);
  return notice;
}

interface IncidentRow {
  id: string;
  correlation_key: string;
  rule: OpenIncident['rule'];
  segment_id: string | null;
  severity: OpenIncident['severity'];
  device_ids: string[];
  critical_device_ids: string[];
  alert_count: number;
  first_alert_at: Date;
  last_alert_at: Date;
}

/**
 * Attaches new alerts to open incidents (same segment and rule within the window) or opens new
 * ones. Incidents of one correlation key are serialised with a transaction-scoped advisory lock,
 * so two batches in flight cannot open two incidents for the same outbreak.
 */
async function correlate(
  tx: SqlClient,
  alerts: AlertDraft[],
  config: CorrelationConfig,
  isCritical: (deviceId: string) => boolean,
): Promise<{ incidents: { id: string; created: boolean }[]; alertIncidents: Record<string, string> }> {
  const keys = [...new Set(alerts.map((a) => correlationKey(a)))].sort();
  await tx.query(`SELECT pg_advisory_xact_lock(h) FROM (SELECT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY k) AS l`, [keys]);
  const since = new Date(alerts[0]!.observedAt - config.windowSeconds * 1000).toISOString();
  const { rows } = await tx.query<IncidentRow>(
    `SELECT id, correlation_key, rule, segment_id, severity, device_ids, critical_device_ids, alert_count, first_alert_at, last_alert_at
       FROM incidents
      WHERE correlation_key = ANY($1::text[]) AND status <> 'CLOSED' AND last_alert_at > $2
      ORDER BY last_alert_at`,
    [keys, since],
  );
  let state = initialCorrelationState();
  for (const r of rows) {
    state.open[r.correlation_key] = {
      incidentId: r.id,
      key: r.correlation_key,
      rule: r.rule,
      segmentId: r.segment_id,
      firstAt: r.first_alert_at.getTime(),
      lastAt: r.last_alert_at.getTime(),
      alertCount: r.alert_count,
      deviceIds: r.device_ids,
      criticalDeviceIds: r.critical_device_ids,
      severity: r.severity,
    };
  }
  const touched = new Map<string, { incident: OpenIncident; created: boolean; title: string }>();
  const entries: { incidentId: string; entry: TimelineEntry; dedupKey: string }[] = [];
  const alertIncident: [string, string][] = [];
  for (const a of alerts) {
    const previousSeverity = state.open[correlationKey(a)]?.severity;
    const r = correlateAlert(state, a, config, isCritical);
    state = r.state;
    const d = r.decision;
    if (d.kind === 'DUPLICATE') continue;
    const inc = d.incident;
    const prev = touched.get(inc.incidentId);
    touched.set(inc.incidentId, { incident: inc, created: prev?.created ?? d.kind === 'CREATED', title: prev?.title ?? a.summary });
    alertIncident.push([a.id, inc.incidentId]);
    entries.push({ incidentId: inc.incidentId, entry: alertTimelineEntry(a), dedupKey: `alert:${a.id}` });
    if (d.kind === 'ATTACHED' && d.severityRaised && previousSeverity) {
      entries.push({
        incidentId: inc.incidentId,
        entry: severityTimelineEntry(previousSeverity, inc.severity, a.observedAt, `${inc.deviceIds.length} devices involved`),
        dedupKey: `severity:${inc.incidentId}:${a.id}`,
      });
    }
  }
  if (!touched.size) return { incidents: [], alertIncidents: {} };
  const list = [...touched.values()];
  await tx.query(
    `INSERT INTO incidents (id, correlation_key, rule, segment_id, title, severity, device_ids, critical_device_ids, alert_count, first_alert_at, last_alert_at)
     SELECT u.id, u.key, u.rule, u.segment_id, u.title, u.severity, ARRAY(SELECT jsonb_array_elements_text(u.devices))::uuid[],
            ARRAY(SELECT jsonb_array_elements_text(u.critical))::uuid[], u.alert_count, u.first_at, u.last_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[], $9::int[], $10::timestamptz[], $11::timestamptz[])
         AS u(id, key, rule, segment_id, title, severity, devices, critical, alert_count, first_at, last_at)
     ON CONFLICT (id) DO UPDATE SET severity = EXCLUDED.severity, device_ids = EXCLUDED.device_ids,
       critical_device_ids = EXCLUDED.critical_device_ids, alert_count = EXCLUDED.alert_count,
       last_alert_at = GREATEST(incidents.last_alert_at, EXCLUDED.last_alert_at), updated_at = now()`,
    [
      list.map((t) => t.incident.incidentId),
      list.map((t) => t.incident.key),
      list.map((t) => t.incident.rule),
      list.map((t) => t.incident.segmentId),
      list.map((t) => `${t.incident.rule}: ${t.title}`.slice(0, 500)),
      list.map((t) => t.incident.severity),
      list.map((t) => JSON.stringify(t.incident.deviceIds)),
      list.map((t) => JSON.stringify(t.incident.criticalDeviceIds)),
      list.map((t) => t.incident.alertCount),
      list.map((t) => new Date(t.incident.firstAt).toISOString()),
      list.map((t) => new Date(t.incident.lastAt).toISOString()),
    ],
  );
  await tx.query(
    `UPDATE alerts a SET incident_id = u.incident_id FROM unnest($1::uuid[], $2::uuid[]) AS u(id, incident_id) WHERE a.id = u.id`,
    [alertIncident.map((x) => x[0]), alertIncident.map((x) => x[1])],
  );
  await tx.query(
    `INSERT INTO incident_timeline (incident_id, at, type, actor, summary, data, dedup_key)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
     ON CONFLICT (dedup_key) DO NOTHING`,
    [
      entries.map((e) => e.incidentId),
      entries.map((e) => new Date(e.entry.at).toISOString()),
      entries.map((e) => e.entry.type),
      entries.map((e) => e.entry.actor),
      entries.map((e) => e.entry.summary),
      entries.map((e) => JSON.stringify(e.entry.data)),
      entries.map((e) => e.dedupKey),
    ],
  );
  return { incidents: list.map((t) => ({ id: t.incident.incidentId, created: t.created })), alertIncidents: Object.fromEntries(alertIncident) };
}

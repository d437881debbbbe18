import { Link } from 'wouter';
import type { AlertRow } from '../api/incidents.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { formatDateTime, humanize } from '../ui/format.js';
import { SeverityBadge } from './badges.js';

const COLUMNS: Column<AlertRow>[] = [
  { key: 'at', header: 'Observed', width: '12.5rem', render: (a) => formatDateTime(a.observedAt) },
  { key: 'severity', header: 'Severity', width: '6.5rem', render: (a) => <SeverityBadge severity={a.severity} /> },
  { key: 'rule', header: 'Rule', width: '11rem', render: (a) => humanize(a.rule) },
  { key: 'device', header: 'Device', width: '12rem', render: (a) => (a.device ? <Link href={`/devices/${a.device.id}`}>{a.device.name}</Link> : '—') },
  { key: 'summary', header: 'What was seen', title: (a) => a.summary, render: (a) => a.summary },
];

/** The incident's alerts, newest first. */
export function IncidentAlerts({ alerts, more }: { alerts: AlertRow[]; more: boolean }) {
  return (
    <>
      <DataTable label="Alerts" columns={COLUMNS} rows={alerts} rowKey={(a) => a.id} maxHeight="22rem" />
      {more && <p className="muted small">Showing the newest {alerts.length} alerts.</p>}
    </>
  );
}

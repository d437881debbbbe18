import type { IncidentStatus, Severity } from '../api/incidents.js';
import { Badge, type Tone } from '../ui/Badge.js';
import { humanize } from '../ui/format.js';

const SEVERITY_TONE: Record<Severity, Tone> = { CRITICAL: 'critical', HIGH: 'quarantined', MEDIUM: 'provisioning', LOW: 'neutral' };
const STATUS_TONE: Record<IncidentStatus, Tone> = {
  OPEN: 'quarantined',
  TRIAGED: 'provisioning',
  CONTAINED: 'provisioning',
  ERADICATED: 'active',
  RECOVERED: 'active',
  CLOSED: 'retired',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge tone={SEVERITY_TONE[severity]}>{humanize(severity)}</Badge>;
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{humanize(status)}</Badge>;
}

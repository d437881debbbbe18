export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export { INCIDENT_RESOLUTIONS, INCIDENT_STATUSES, type IncidentResolution, type IncidentStatus } from '@warden/contracts/incident-lifecycle';
import type { IncidentResolution, IncidentStatus } from '@warden/contracts/incident-lifecycle';

export interface IncidentRow {
  id: string;
  title: string;
  rule: string;
  severity: Severity;
  status: IncidentStatus;
  resolution: IncidentResolution | null;
  segment: { id: string; name: string } | null;
  assignee: { id: string; name: string } | null;
  alertCount: number;
  devices: { id: string }[];
  firstAlertAt: string;
  lastAlertAt: string;
}

const INCIDENT_ROW = `
  id
  title
  rule
  severity
  status
  resolution
  segment { id name }
  assignee { id name }
  alertCount
  devices { id }
  firstAlertAt
  lastAlertAt
`;

export interface IncidentFilterInput {
  statuses?: IncidentStatus[];
  severities?: Severity[];
  assigneeId?: string;
}

export const INCIDENTS = /* GraphQL */ `
  query ConsoleIncidents($filter: IncidentFilter, $first: Int!, $after: String) {
    incidents(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ${INCIDENT_ROW} }
    }
  }
`;
export interface IncidentsResult {
  incidents: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: IncidentRow[] };
}

export const INCIDENT_CHANGED = /* GraphQL */ `
  subscription ConsoleIncidentChanged {
    incidentChanged {
      change
      actor
      incident { ${INCIDENT_ROW} }
    }
  }
`;
export interface IncidentChangedEvent {
  incidentChanged: { change: 'CREATED' | 'UPDATED' | 'STATUS' | 'ASSIGNED' | 'NOTE' | string; actor: string; incident: IncidentRow };
}

export interface IncidentDevice {
  id: string;
  name: string;
  serial: string;
  kind: string;
  status: string;
  ip: string | null;
  criticality: string;
  firmwareVersion: string | null;
  segment: { id: string; name: string } | null;
  model: { id: string; vendor: string; name: string; otaCapable: boolean };
  /** Containment leaves it alone unless overridden (badge readers, cameras). */
  failSafe: boolean;
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  summary: string;
  data: unknown;
}

export interface AlertRow {
  id: string;
  rule: string;
  severity: Severity;
  summary: string;
  evidence: Record<string, unknown>;
  observedAt: string;
  device: { id: string; name: string } | null;
}

export interface IncidentDetail extends Omit<IncidentRow, 'devices'> {
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  devices: IncidentDevice[];
  timeline: TimelineEntry[];
  alerts: { nodes: AlertRow[]; pageInfo: { hasNextPage: boolean } };
}

export const DEVICE_FIELDS = `
  id
  name
  serial
  kind
  status
  failSafe
  ip
  criticality
  firmwareVersion
  segment { id name }
  model { id vendor name otaCapable }
`;

export const INCIDENT = /* GraphQL */ `
  query ConsoleIncident($id: ID!) {
    incident(id: $id) {
      ${INCIDENT_ROW}
      createdAt
      updatedAt
      closedAt
      devices { ${DEVICE_FIELDS} }
      timeline { at type actor summary data }
      alerts(first: 100) {
        pageInfo { hasNextPage }
        nodes {
          id
          rule
          severity
          summary
          evidence
          observedAt
          device { id name }
        }
      }
    }
  }
`;
export type IncidentResult = { incident: IncidentDetail | null };

export const UPDATE_INCIDENT_STATUS = /* GraphQL */ `
  mutation ConsoleUpdateIncidentStatus($id: ID!, $status: IncidentStatus!, $reason: String, $resolution: IncidentResolution) {
    updateIncidentStatus(id: $id, status: $status, reason: $reason, resolution: $resolution) { id status }
  }
`;

export const ASSIGN_INCIDENT = /* GraphQL */ `
  mutation ConsoleAssignIncident($id: ID!, $assigneeId: ID) {
    assignIncident(id: $id, assigneeId: $assigneeId) { id assignee { id name } }
  }
`;

export const ADD_INCIDENT_NOTE = /* GraphQL */ `
  mutation ConsoleAddIncidentNote($id: ID!, $text: String!) {
    addIncidentNote(id: $id, text: $text) { at }
  }
`;

/** Users an admin can assign to (the `users` query is an admin's). */
export const ASSIGNABLE_USERS = /* GraphQL */ `
  query ConsoleAssignableUsers {
    users { id name role disabled }
  }
`;
export type AssignableUsersResult = { users: { id: string; name: string; role: string; disabled: boolean }[] };

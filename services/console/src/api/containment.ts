export const CONTAINMENT_KINDS = ['QUARANTINE_DEVICES', 'ISOLATE_SEGMENT', 'BLOCK_DESTINATION', 'ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS'] as const;
export type ContainmentKind = (typeof CONTAINMENT_KINDS)[number];
export type ContainmentStatus = 'PENDING' | 'APPLIED' | 'RELEASED' | 'EXPIRED' | 'FAILED' | 'SKIPPED';
/** Statuses in which a containment holds its target. */
export const IN_FORCE: ContainmentStatus[] = ['PENDING', 'APPLIED'];

export interface ContainmentRow {
  id: string;
  kind: ContainmentKind;
  status: ContainmentStatus;
  device: { id: string; name: string } | null;
  segment: { id: string; name: string } | null;
  destination: string | null;
  reason: string;
  actorName: string;
  overrideFailSafe: boolean;
  expiresAt: string | null;
  createdAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  error: string | null;
}

const CONTAINMENT_ROW = `
  id
  kind
  status
  device { id name }
  segment { id name }
  destination
  reason
  actorName
  overrideFailSafe
  expiresAt
  createdAt
  releasedAt
  releasedBy
  error
`;

export const INCIDENT_CONTAINMENTS = /* GraphQL */ `
  query ConsoleIncidentContainments($incidentId: ID!) {
    containments(filter: { incidentId: $incidentId }, first: 500) {
      totalCount
      nodes { ${CONTAINMENT_ROW} }
    }
  }
`;
export type IncidentContainmentsResult = { containments: { totalCount: number; nodes: ContainmentRow[] } };

export interface SkippedTarget {
  device: { id: string; name: string; serial: string } | null;
  reason: 'FAIL_SAFE' | 'ALREADY_CONTAINED' | 'RETIRED' | 'NO_CREDENTIALS';
  message: string;
}

export interface ContainmentResult {
  containments: { id: string }[];
  skipped: SkippedTarget[];
  credentials: { deviceId: string; token: string }[];
  incidentStatus: string | null;
}

const RESULT = `
  containments { id }
  skipped { device { id name serial } reason message }
  credentials { deviceId token }
  incidentStatus
`;

/** Arguments every request takes: why, the incident it belongs to, an optional expiry (seconds), the fail-safe override. */
const ARGS = '$reason: String!, $incidentId: ID, $expiresIn: Int, $overrideFailSafe: Boolean';
const PASS = 'reason: $reason, incidentId: $incidentId, expiresIn: $expiresIn, overrideFailSafe: $overrideFailSafe';

export interface ContainmentArgs {
  reason: string;
  incidentId: string;
  expiresIn?: number | null;
  overrideFailSafe?: boolean;
}

export const QUARANTINE_DEVICES = /* GraphQL */ `
  mutation ConsoleQuarantineDevices($deviceIds: [ID!]!, ${ARGS}) {
    quarantineDevices(deviceIds: $deviceIds, ${PASS}) { ${RESULT} }
  }
`;
export const ISOLATE_SEGMENT = /* GraphQL */ `
  mutation ConsoleIsolateSegment($segmentId: ID!, ${ARGS}) {
    isolateSegment(segmentId: $segmentId, ${PASS}) { ${RESULT} }
  }
`;
export const BLOCK_DESTINATION = /* GraphQL */ `
  mutation ConsoleBlockDestination($destination: String!, ${ARGS}) {
    blockDestination(destination: $destination, ${PASS}) { ${RESULT} }
  }
`;
export const ROTATE_CREDENTIALS_CONTAINMENT = /* GraphQL */ `
  mutation ConsoleContainRotate($deviceIds: [ID!]!, ${ARGS}) {
    rotateDeviceCredentials(deviceIds: $deviceIds, ${PASS}) { ${RESULT} }
  }
`;
export const REVOKE_CREDENTIALS_CONTAINMENT = /* GraphQL */ `
  mutation ConsoleContainRevoke($deviceIds: [ID!]!, ${ARGS}) {
    revokeDeviceCredentials(deviceIds: $deviceIds, ${PASS}) { ${RESULT} }
  }
`;
export const RELEASE_CONTAINMENT = /* GraphQL */ `
  mutation ConsoleReleaseContainment($id: ID!, $reason: String!) {
    releaseContainment(id: $id, reason: $reason) { id status }
  }
`;

export const CONTAINMENT_CHANGED = /* GraphQL */ `
  subscription ConsoleContainmentChanged {
    containmentChanged { change containments { id incident { id } device { id } } }
  }
`;
export type ContainmentChangedEvent = { containmentChanged: { change: string; containments: { id: string; incident: { id: string } | null; device: { id: string } | null }[] } };

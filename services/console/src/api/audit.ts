export interface AuditEntry {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  summary: unknown;
  ip: string | null;
}

export interface AuditFilterInput {
  actionPrefix?: string;
  actorName?: string;
  targetType?: string;
  targetId?: string;
  after?: string;
  before?: string;
}

export const AUDIT_LOG = /* GraphQL */ `
  query ConsoleAuditLog($filter: AuditFilter, $first: Int!, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        at
        actorType
        actorId
        actorName
        action
        targetType
        targetId
        summary
        ip
      }
    }
  }
`;
export interface AuditLogResult {
  auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: AuditEntry[] };
}

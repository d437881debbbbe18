import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import {
  ASSIGNABLE_USERS,
  INCIDENT_CHANGED,
  INCIDENT_STATUSES,
  INCIDENTS,
  SEVERITIES,
  type AssignableUsersResult,
  type IncidentChangedEvent,
  type IncidentFilterInput,
  type IncidentRow,
  type IncidentsResult,
  type IncidentStatus,
  type Severity,
} from '../api/incidents.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { useSubscription } from '../lib/live.js';
import { useAddressParams } from '../lib/useAddressParams.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { enumOptions, SelectField } from '../ui/Field.js';
import { formatAgo, formatCount, formatDateTime, humanize } from '../ui/format.js';
import { LiveBadge } from '../ui/LiveBadge.js';
import { ErrorNote, Loading } from '../ui/Panel.js';
import { IncidentStatusBadge, SeverityBadge } from './badges.js';
import { applyIncidentChange } from './live-list.js';

const PAGE = 100;
const OPEN_STATUSES = INCIDENT_STATUSES.filter((s) => s !== 'CLOSED');

/** `status`: ACTIVE (the default: not closed), ANY or one status; `severity`: one, or HIGH_UP; `assignee`: me or a user id. */
function toFilter(p: { status?: string; severity?: string; assignee?: string }, myId: string | null): IncidentFilterInput {
  const f: IncidentFilterInput = {};
  const status = p.status ?? 'ACTIVE';
  if (status === 'ACTIVE') f.statuses = [...OPEN_STATUSES];
  else if (status !== 'ANY') f.statuses = [status as IncidentStatus];
  if (p.severity === 'HIGH_UP') f.severities = ['HIGH', 'CRITICAL'];
  else if (p.severity) f.severities = [p.severity as Severity];
  if (p.assignee === 'me' && myId) f.assigneeId = myId;
  else if (p.assignee && p.assignee !== 'me') f.assigneeId = p.assignee;
  return f;
}

const COLUMNS: Column<IncidentRow>[] = [
  { key: 'severity', header: 'Severity', width: '7rem', render: (i) => <SeverityBadge severity={i.severity} /> },
  { key: 'title', header: 'Incident', title: (i) => i.title, render: (i) => <Link href={`/incidents/${i.id}`}>{i.title}</Link> },
  { key: 'status', header: 'Status', width: '8rem', render: (i) => <IncidentStatusBadge status={i.status} /> },
  { key: 'rule', header: 'Rule', width: '13rem', render: (i) => humanize(i.rule) },
  { key: 'segment', header: 'Segment', width: '9rem', render: (i) => i.segment?.name ?? '—' },
  { key: 'devices', header: 'Devices', width: '6.5rem', align: 'num', render: (i) => formatCount(i.devices.length) },
  { key: 'alerts', header: 'Alerts', width: '5rem', align: 'num', render: (i) => formatCount(i.alertCount) },
  { key: 'assignee', header: 'Assignee', width: '9rem', render: (i) => i.assignee?.name ?? <span className="muted">nobody</span> },
  { key: 'last', header: 'Last alert', width: '9rem', title: (i) => formatDateTime(i.lastAlertAt), render: (i) => formatAgo(i.lastAlertAt) },
];

/**
 * Incidents, most recently active first, kept live over a graphql-ws subscription: new incidents
 * and changes made anywhere (detection, other responders) show up without a reload.
 */
export function IncidentsPage() {
  const { user, can } = useAuth();
  const queryClient = useQueryClient();
  const myId = user?.user?.id ?? null;
  const [params, setParams] = useAddressParams(['status', 'severity', 'assignee'] as const);
  const filter = useMemo(() => toFilter(params, myId), [params, myId]);
  const queryKey = ['incidents', filter];
  const [arrived, setArrived] = useState<{ ids: Set<string>; message: string }>({ ids: new Set(), message: '' });

  const query = useInfiniteQuery({
    queryKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => gql<IncidentsResult>(INCIDENTS, { filter, first: PAGE, after: pageParam }, { signal }),
    getNextPageParam: (last) => (last.incidents.pageInfo.hasNextPage ? last.incidents.pageInfo.endCursor : null),
    // The subscription keeps the list current; this only repairs what a dropped socket missed.
    refetchInterval: 60_000,
  });
  const users = useQuery({
    queryKey: ['users'],
    queryFn: ({ signal }) => gql<AssignableUsersResult>(ASSIGNABLE_USERS, {}, { signal }),
    enabled: can('ADMIN'),
  });

  const live = useSubscription<IncidentChangedEvent>(INCIDENT_CHANGED, {
    onData: ({ incidentChanged: e }) => {
      queryClient.setQueryData<InfiniteData<IncidentsResult, string | null>>(queryKey, (data) => {
        if (!data) return data;
        const hasMore = data.pages.at(-1)?.incidents.pageInfo.hasNextPage ?? false;
        const nodes = applyIncidentChange(
          data.pages.map((p) => p.incidents.nodes),
          e.incident,
          filter,
          hasMore,
        );
        return { ...data, pages: data.pages.map((p, i) => ({ incidents: { ...p.incidents, nodes: nodes[i] ?? [] } })) };
      });
      // Other lists (other filters) and the incident's own page re-read when next shown.
      void queryClient.invalidateQueries({ queryKey: ['incidents'], refetchType: 'none' });
      void queryClient.invalidateQueries({ queryKey: ['incident', e.incident.id] });
      if (e.change === 'CREATED') {
        setArrived((a) => ({ ids: new Set(a.ids).add(e.incident.id), message: `New incident: ${e.incident.title}` }));
      }
    },
    onResume: () => void query.refetch(),
  });

  const rows = query.data?.pages.flatMap((p) => p.incidents.nodes) ?? [];
  const userOptions = (users.data?.users ?? []).filter((u) => !u.disabled && u.id !== myId).map((u) => ({ value: u.id, label: u.name }));

  return (
    <>
      <div className="page-head">
        <h1>Incidents</h1>
        <LiveBadge status={live} />
        <p className="visually-hidden" role="status" aria-live="polite">
          {arrived.message}
        </p>
      </div>
      <section className="panel" aria-label="Incidents">
        <div className="filters" role="search" aria-label="Incident filters" style={{ marginBottom: '0.75rem' }}>
          <SelectField
            id="i-status"
            label="Status"
            value={params.status ?? 'ACTIVE'}
            onChange={(v) => setParams({ ...params, status: v === 'ACTIVE' ? '' : v })}
            options={[{ value: 'ACTIVE', label: 'Not closed' }, { value: 'ANY', label: 'Any' }, ...enumOptions(INCIDENT_STATUSES)]}
          />
          <SelectField
            id="i-severity"
            label="Severity"
            value={params.severity ?? ''}
            onChange={(v) => setParams({ ...params, severity: v })}
            anyLabel="Any"
            options={[{ value: 'HIGH_UP', label: 'High or critical' }, ...enumOptions(SEVERITIES)]}
          />
          <SelectField
            id="i-assignee"
            label="Assignee"
            value={params.assignee ?? ''}
            onChange={(v) => setParams({ ...params, assignee: v })}
            anyLabel="Anyone"
            options={[...(myId ? [{ value: 'me', label: 'Me' }] : []), ...userOptions]}
          />
          {query.data && (
            <span className="muted small" data-testid="incident-count">
              {formatCount(rows.length)}
              {query.hasNextPage ? '+' : ''} incident{rows.length === 1 ? '' : 's'}
            </span>
          )}
        </div>
        {query.isPending ? (
          <Loading label="Loading incidents…" />
        ) : query.error ? (
          <ErrorNote error={query.error} />
        ) : (
          <DataTable
            label="Incidents"
            columns={COLUMNS}
            rows={rows}
            rowKey={(i) => i.id}
            empty="No incidents match. New ones appear here as detection raises them."
            rowProps={(i) => ({ className: arrived.ids.has(i.id) ? 'arrived' : undefined, 'data-testid': `incident-${i.id}` })}
          />
        )}
        {query.hasNextPage && (
          <p>
            <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          </p>
        )}
      </section>
    </>
  );
}

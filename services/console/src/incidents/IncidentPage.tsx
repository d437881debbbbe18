import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ASSIGNABLE_USERS, INCIDENT, INCIDENT_CHANGED, type AssignableUsersResult, type IncidentChangedEvent, type IncidentResult } from '../api/incidents.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { useSubscription } from '../lib/live.js';
import { formatCount, formatDateTime, humanize } from '../ui/format.js';
import { LiveBadge } from '../ui/LiveBadge.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';
import { Tabs } from '../ui/Tabs.js';
import { IncidentStatusBadge, SeverityBadge } from './badges.js';
import { DeviceList } from './DeviceList.js';
import { IncidentAlerts } from './IncidentAlerts.js';
import { IncidentAssignment } from './IncidentAssignment.js';
import { IncidentLifecycle } from './IncidentLifecycle.js';
import { IncidentTimeline } from './IncidentTimeline.js';
import { BlastRadius } from './BlastRadius.js';
import { RespondTab } from './RespondTab.js';
import { PlaybooksTab } from '../playbooks/PlaybooksTab.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'blast-radius', label: 'Blast radius' },
  { id: 'respond', label: 'Contain and patch' },
  { id: 'playbooks', label: 'Playbooks' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** One incident: what happened (timeline, alerts, devices) and what responders can do about it. */
export function IncidentPage({ id, tab }: { id: string; tab?: string | undefined }) {
  const { user, can } = useAuth();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const query = useQuery({ queryKey: ['incident', id], queryFn: ({ signal }) => gql<IncidentResult>(INCIDENT, { id }, { signal }) });
  const users = useQuery({ queryKey: ['users'], queryFn: ({ signal }) => gql<AssignableUsersResult>(ASSIGNABLE_USERS, {}, { signal }), enabled: can('ADMIN') });
  const [maxHops, setMaxHops] = useState(2);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['incident', id] });
    await queryClient.invalidateQueries({ queryKey: ['incidents'] });
    await queryClient.invalidateQueries({ queryKey: ['blastRadius', id] });
  };
  // Changes by detection or other responders re-read the page.
  const live = useSubscription<IncidentChangedEvent>(INCIDENT_CHANGED, {
    onData: (e) => {
      if (e.incidentChanged.incident.id === id) void queryClient.invalidateQueries({ queryKey: ['incident', id] });
    },
    onResume: () => void queryClient.invalidateQueries({ queryKey: ['incident', id] }),
  });

  // Timeline actors are `user:<id>`; name the ones the console knows.
  const actors = useMemo(() => {
    const m = new Map<string, string>();
    for (const u of users.data?.users ?? []) m.set(`user:${u.id}`, u.name);
    const a = query.data?.incident?.assignee;
    if (a) m.set(`user:${a.id}`, a.name);
    if (user?.user) m.set(`user:${user.user.id}`, user.user.name);
    return m;
  }, [users.data, query.data, user]);

  if (query.isPending) return <Loading label="Loading the incident…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  const incident = query.data.incident;
  if (!incident) return <h1>Incident not found</h1>;
  const selected: TabId = TABS.some((t) => t.id === tab) ? (tab as TabId) : 'overview';

  return (
    <>
      <p className="small">
        <Link href="/incidents">← Incidents</Link>
      </p>
      <div className="page-head">
        <h1>{incident.title}</h1>
        <SeverityBadge severity={incident.severity} />
        <span data-testid="incident-status">
          <IncidentStatusBadge status={incident.status} />
        </span>
        {incident.resolution && <span className="muted small">{humanize(incident.resolution)}</span>}
        <LiveBadge status={live} />
        <div className="actions">
          <Requires role="RESPONDER" explain>
            <IncidentLifecycle incidentId={incident.id} status={incident.status} onDone={refresh} />
          </Requires>
        </div>
      </div>

      <Tabs label="Incident sections" idPrefix="incident" tabs={[...TABS]} selected={selected} onSelect={(t) => navigate(`/incidents/${id}${t === 'overview' ? '' : `/${t}`}`, { replace: true })}>
        {selected === 'overview' && (
          <>
            <div className="grid-2">
              <Panel title="Summary">
                <dl className="facts">
                  <dt>Rule</dt>
                  <dd>{humanize(incident.rule)}</dd>
                  <dt>Segment</dt>
                  <dd>{incident.segment?.name ?? '—'}</dd>
                  <dt>Devices</dt>
                  <dd>{formatCount(incident.devices.length)} involved</dd>
                  <dt>Alerts</dt>
                  <dd>
                    {formatCount(incident.alertCount)}, first {formatDateTime(incident.firstAlertAt)}, last {formatDateTime(incident.lastAlertAt)}
                  </dd>
                  <dt>Assignee</dt>
                  <dd>
                    <IncidentAssignment incidentId={incident.id} assignee={incident.assignee} onDone={refresh} />
                  </dd>
                  {incident.closedAt && (
                    <>
                      <dt>Closed</dt>
                      <dd>{formatDateTime(incident.closedAt)}</dd>
                    </>
                  )}
                </dl>
              </Panel>
              <IncidentTimeline incidentId={incident.id} entries={incident.timeline} actors={actors} onDone={refresh} />
            </div>
            <Panel title="Devices involved">
              <DeviceList label="Devices involved" devices={incident.devices} />
            </Panel>
            <Panel title="Alerts">
              <IncidentAlerts alerts={incident.alerts.nodes} more={incident.alerts.pageInfo.hasNextPage} />
            </Panel>
          </>
        )}
        {selected === 'blast-radius' && <BlastRadius incidentId={incident.id} maxHops={maxHops} onMaxHops={setMaxHops} />}
        {selected === 'respond' && <RespondTab incident={incident} maxHops={maxHops} onDone={refresh} />}
        {selected === 'playbooks' && <PlaybooksTab incidentId={incident.id} onDone={refresh} />}
      </Tabs>
    </>
  );
}

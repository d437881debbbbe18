import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CONTAINMENT_CHANGED, INCIDENT_CONTAINMENTS, type ContainmentChangedEvent, type IncidentContainmentsResult } from '../api/containment.js';
import type { IncidentDetail } from '../api/incidents.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { useSubscription } from '../lib/live.js';
import { roleReason } from '../lib/roles.js';
import { ErrorNote, Loading } from '../ui/Panel.js';
import { describeReason } from './blast-reasons.js';
import { useBlastRadius } from './BlastRadius.js';
import { ContainDevices, type Candidate } from './ContainDevices.js';
import { ContainmentList } from './ContainmentList.js';
import { ContainNetwork } from './ContainNetwork.js';
import { EmergencyPatch } from './EmergencyPatch.js';

/** How many of the most exposed blast-radius devices are offered for containment beside the incident's own. */
const EXPOSED_OFFERED = 100;

/**
 * What responders do about an incident: contain devices, the segment or a destination, release
 * containments, and push an emergency patch. Viewers and operators see what is in force, and why
 * they cannot change it.
 */
export function RespondTab({ incident, maxHops, onDone }: { incident: IncidentDetail; maxHops: number; onDone: () => Promise<void> }) {
  const { user, can } = useAuth();
  const containments = useQuery({
    queryKey: ['containments', incident.id],
    queryFn: ({ signal }) => gql<IncidentContainmentsResult>(INCIDENT_CONTAINMENTS, { incidentId: incident.id }, { signal }),
  });
  // Containments change under the page too: delivered, expired, released by another responder or a playbook.
  useSubscription<ContainmentChangedEvent>(CONTAINMENT_CHANGED, {
    onData: ({ containmentChanged: e }) => {
      const own = new Set(incident.devices.map((d) => d.id));
      if (e.containments.some((c) => c.incident?.id === incident.id || (c.device && own.has(c.device.id)))) void done();
    },
    onResume: () => void containments.refetch(),
  });
  const blast = useBlastRadius(incident.id, maxHops);
  const view = blast.view;
  const names = useMemo(() => ({ device: (id: string) => view?.names.devices.get(id), segment: (id: string) => view?.names.segments.get(id) }), [view]);

  const candidates = useMemo<Candidate[]>(() => {
    const own = new Set(incident.devices.map((d) => d.id));
    const exposed = (view?.devices ?? [])
      .filter((e) => e.tier <= 2 && !own.has(e.device.id))
      .slice(0, EXPOSED_OFFERED)
      .map((e) => ({ device: e.device, why: `tier ${e.tier}: ${e.reasons[0] ? describeReason(e.reasons[0], names) : 'exposed'}` }));
    return [...incident.devices.map((device) => ({ device, why: 'in the incident' })), ...exposed];
  }, [incident.devices, view, names]);

  const done = async () => {
    await containments.refetch();
    await onDone();
  };
  const segmentDevices = view?.bySegment.find((s) => s.segment?.id === incident.segment?.id);

  return (
    <>
      {can('RESPONDER') ? (
        <>
          <ContainDevices incidentId={incident.id} candidates={candidates} onDone={done} />
          <div className="grid-2">
            <ContainNetwork
              incidentId={incident.id}
              segment={incident.segment ? { ...incident.segment, devices: segmentDevices?.total ?? 0 } : null}
              alerts={incident.alerts.nodes}
              onDone={done}
            />
            <EmergencyPatch incidentId={incident.id} incidentDevices={incident.devices.length} byTier={view?.byTier ?? null} onDone={done} />
          </div>
        </>
      ) : (
        <p className="muted small role-note">{roleReason(user?.role, 'RESPONDER')} to contain devices, isolate segments, block destinations or start an emergency patch.</p>
      )}
      {containments.isPending ? <Loading label="Loading containments…" /> : containments.error ? <ErrorNote error={containments.error} /> : <ContainmentList containments={containments.data.containments.nodes} onDone={done} />}
    </>
  );
}

import { useQuery } from '@tanstack/react-query';
import { FLEET_LIVENESS, type FleetLivenessResult } from '../api/telemetry.js';
import { gql } from '../lib/graphql.js';
import { formatCount } from '../ui/format.js';

/** Online / offline / never-seen counts for the site or segment in the filters (or the fleet). */
export function FleetLiveness({ siteId, segmentId }: { siteId?: string | undefined; segmentId?: string | undefined }) {
  const query = useQuery({
    queryKey: ['fleetLiveness', siteId ?? null, segmentId ?? null],
    queryFn: ({ signal }) => gql<FleetLivenessResult>(FLEET_LIVENESS, { siteId: siteId ?? null, segmentId: segmentId ?? null }, { signal }),
    refetchInterval: 15_000,
  });
  const l = query.data?.fleetLiveness;
  if (!l) return null;
  return (
    <p className="liveness" role="status" aria-label="Liveness" data-testid="liveness">
      <span className="status status-active">{formatCount(l.online)} online</span>{' '}
      <span className={`status ${l.offline ? 'status-quarantined' : ''}`}>{formatCount(l.offline)} offline</span>{' '}
      <span className="status">{formatCount(l.neverSeen)} never seen</span>
    </p>
  );
}

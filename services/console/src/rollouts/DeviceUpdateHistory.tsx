import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { gql } from '../lib/graphql.js';
import { formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';

const UPDATE_HISTORY = /* GraphQL */ `
  query ConsoleDeviceUpdates($id: ID!) {
    device(id: $id) {
      id
      updateHistory(first: 20) {
        id
        status
        attempt
        fromVersion
        dispatchedAt
        finishedAt
        lastMessage
        release {
          version
        }
        rollout {
          id
          name
        }
      }
    }
  }
`;
interface UpdateHistoryResult {
  device: {
    updateHistory: {
      id: string;
      status: string;
      attempt: number;
      fromVersion: string | null;
      dispatchedAt: string | null;
      finishedAt: string | null;
      lastMessage: string | null;
      release: { version: string };
      rollout: { id: string; name: string };
    }[];
  } | null;
}

/** The device's firmware updates, newest first, with the rollout each belonged to. */
export function DeviceUpdateHistory({ deviceId }: { deviceId: string }) {
  const query = useQuery({
    queryKey: ['deviceUpdates', deviceId],
    queryFn: ({ signal }) => gql<UpdateHistoryResult>(UPDATE_HISTORY, { id: deviceId }, { signal }),
    refetchInterval: 15_000,
  });
  const rows = query.data?.device?.updateHistory ?? [];
  return (
    <Panel title="Update history">
      {query.isPending ? (
        <Loading />
      ) : query.error ? (
        <ErrorNote error={query.error} />
      ) : rows.length === 0 ? (
        <p className="muted small">No firmware update has targeted this device.</p>
      ) : (
        <table className="data" aria-label="Update history">
          <thead>
            <tr>
              <th scope="col">Rollout</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Dispatched</th>
              <th scope="col">Finished</th>
              <th scope="col">Last message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link href={`/rollouts/${a.rollout.id}`}>{a.rollout.name}</Link>
                  {a.attempt > 1 ? ` (attempt ${a.attempt})` : ''}
                </td>
                <td>
                  {a.fromVersion ?? '?'} → {a.release.version}
                </td>
                <td>{humanize(a.status)}</td>
                <td>{formatDateTime(a.dispatchedAt)}</td>
                <td>{formatDateTime(a.finishedAt)}</td>
                <td title={a.lastMessage ?? undefined}>{a.lastMessage ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { DEVICE_CONTACTS, type DeviceContactsResult } from '../api/telemetry.js';
import { gql } from '../lib/graphql.js';
import { formatAgo, formatCount, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';

const bytes = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** Who the device talked to, most recent first, with the Warden device at the other end if any. */
export function DeviceContacts({ deviceId }: { deviceId: string }) {
  const query = useQuery({
    queryKey: ['deviceContacts', deviceId],
    queryFn: ({ signal }) => gql<DeviceContactsResult>(DEVICE_CONTACTS, { deviceId, first: 100 }, { signal }),
    refetchInterval: 30_000,
  });
  return (
    <Panel title="Contacts">
      {query.isPending ? (
        <Loading />
      ) : query.error ? (
        <ErrorNote error={query.error} />
      ) : query.data.deviceContacts.length === 0 ? (
        <p className="muted small">No traffic reported.</p>
      ) : (
        <div className="table-scroll" style={{ maxHeight: '18rem' }}>
          <table className="data" aria-label="Contacts">
            <thead>
              <tr>
                <th scope="col">Peer</th>
                <th scope="col">Warden device</th>
                <th scope="col" style={{ width: '7rem' }}>
                  Port
                </th>
                <th scope="col" style={{ width: '7rem' }}>
                  Direction
                </th>
                <th scope="col" className="num" style={{ width: '7rem' }}>
                  Bytes
                </th>
                <th scope="col" className="num" style={{ width: '7rem' }}>
                  Flows
                </th>
                <th scope="col" style={{ width: '9rem' }}>
                  Last seen
                </th>
              </tr>
            </thead>
            <tbody>
              {query.data.deviceContacts.map((c) => (
                <tr key={`${c.peerIp}|${c.port}|${c.protocol}`}>
                  <td>
                    <code>{c.peerIp}</code>
                  </td>
                  <td>{c.peerDevice ? <Link href={`/devices/${c.peerDevice.id}`}>{`${c.peerDevice.name} (${humanize(c.peerDevice.kind).toLowerCase()})`}</Link> : <span className="muted">outside the fleet</span>}</td>
                  <td>
                    {c.port}/{c.protocol.toLowerCase()}
                  </td>
                  <td>{c.outbound ? 'outbound' : 'inbound'}</td>
                  <td className="num">{bytes.format(c.bytes)}</td>
                  <td className="num">{formatCount(c.count)}</td>
                  <td>{formatAgo(c.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

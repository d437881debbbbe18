import { useState } from 'react';
import { toDeviceFilter } from '../api/fleet.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { formatCount } from '../ui/format.js';
import { devicesToCsv, type ExportDevice } from './export-csv.js';
import type { FleetFilters } from './filters.js';

const EXPORT_PAGE = /* GraphQL */ `
  query ConsoleExportDevices($filter: DeviceFilter, $first: Int!, $after: String, $orderBy: DeviceOrder) {
    devices(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        serial
        controllerId
        name
        kind
        firmwareVersion
        ip
        mac
        tags
        location
        owner
        criticality
        status
        lastSeenAt
        model {
          vendor
          name
        }
        segment {
          name
          site {
            code
          }
        }
      }
    }
  }
`;
interface ExportPage {
  devices: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ExportDevice[] };
}

/** Downloads every device matching the filters as CSV, in the import format. */
export function ExportButton({ filters, total }: { filters: FleetFilters; total: number }) {
  const [done, setDone] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    setDone(0);
    const devices: ExportDevice[] = [];
    let after: string | null = null;
    try {
      const filter = toDeviceFilter(filters);
      const orderBy = { field: filters.sort ?? 'NAME', direction: filters.dir === 'desc' ? 'DESC' : 'ASC' };
      for (;;) {
        const page: ExportPage = await gql<ExportPage>(EXPORT_PAGE, { filter, first: 500, after, orderBy });
        devices.push(...page.devices.nodes);
        setDone(devices.length);
        if (!page.devices.pageInfo.hasNextPage) break;
        after = page.devices.pageInfo.endCursor;
      }
      const url = URL.createObjectURL(new Blob([devicesToCsv(devices)], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `warden-devices-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(`Export failed: ${errorMessage(err)}`);
    } finally {
      setDone(null);
    }
  }

  return (
    <span>
      <button type="button" onClick={() => void run()} disabled={done !== null || total === 0}>
        {done !== null ? `Exporting ${formatCount(done)} of ${formatCount(total)}…` : 'Export CSV'}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { DEVICES, toDeviceFilter, type DeviceRow, type DeviceSortField, type DevicesResult } from '../api/fleet.js';
import { gql } from '../lib/graphql.js';
import { formatAgo, formatCount, humanize } from '../ui/format.js';
import { ErrorNote } from '../ui/Panel.js';
import { ExportButton } from './ExportButton.js';
import type { FleetFilters } from './filters.js';

const PAGE = 200;
const ROW_HEIGHT = 35;

interface Column {
  key: string;
  label: string;
  width: string;
  sort?: DeviceSortField;
  render: (d: DeviceRow) => React.ReactNode;
}

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', width: '18%', sort: 'NAME', render: (d) => <Link href={`/devices/${d.id}`}>{d.name}</Link> },
  { key: 'serial', label: 'Serial', width: '12%', sort: 'SERIAL', render: (d) => d.serial },
  { key: 'kind', label: 'Kind', width: '9%', render: (d) => humanize(d.kind) },
  { key: 'model', label: 'Model', width: '14%', render: (d) => `${d.model.vendor} ${d.model.name}` },
  { key: 'firmware', label: 'Firmware', width: '9%', sort: 'FIRMWARE', render: (d) => d.firmwareVersion ?? '—' },
  { key: 'segment', label: 'Segment', width: '13%', render: (d) => (d.segment ? `${d.segment.site.code} / ${d.segment.name}` : '—') },
  { key: 'ip', label: 'IP', width: '10%', render: (d) => d.ip ?? '—' },
  { key: 'status', label: 'Status', width: '8%', render: (d) => <span className={`status status-${d.status.toLowerCase()}`}>{humanize(d.status)}</span> },
  { key: 'seen', label: 'Last seen', width: '9%', sort: 'LAST_SEEN', render: (d) => formatAgo(d.lastSeenAt) },
];

/**
 * The devices matching the filters: fetched from the api a page at a time as the user scrolls
 * (filtering and sorting happen on the server), and rendered virtually, so ten thousand rows cost
 * what fifty do.
 */
export function DeviceTable({ filters, onChange }: { filters: FleetFilters; onChange: (f: FleetFilters) => void }) {
  const sortField = (filters.sort as DeviceSortField | undefined) ?? 'NAME';
  const direction = filters.dir === 'desc' ? 'DESC' : 'ASC';
  const filter = toDeviceFilter(filters);

  const query = useInfiniteQuery({
    queryKey: ['devices', filter, sortField, direction],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      gql<DevicesResult>(DEVICES, { filter, first: PAGE, after: pageParam, orderBy: { field: sortField, direction } }, { signal }),
    getNextPageParam: (last) => (last.devices.pageInfo.hasNextPage ? last.devices.pageInfo.endCursor : null),
    placeholderData: (previous) => previous,
  });

  const rows = query.data?.pages.flatMap((p) => p.devices.edges.map((e) => e.node)) ?? [];
  const total = query.data?.pages[0]?.devices.totalCount ?? 0;
  const hasMore = query.hasNextPage;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && !query.isFetchingNextPage && lastIndex >= rows.length - 20) void query.fetchNextPage();
  }, [hasMore, lastIndex, rows.length, query]);

  // A new filter or sort starts at the top.
  const key = JSON.stringify([filter, sortField, direction]);
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [key]);

  function sortBy(field: DeviceSortField) {
    const dir = sortField === field && direction === 'ASC' ? 'desc' : 'asc';
    onChange({ ...filters, sort: field === 'NAME' ? undefined : field, dir: dir === 'asc' ? undefined : dir });
  }

  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;

  return (
    <div>
      <div className="table-foot">
        <span role="status" aria-live="polite" data-testid="device-count">
          {query.isPending ? 'Loading devices…' : `${formatCount(total)} device${total === 1 ? '' : 's'} match`}
          {query.isFetching && !query.isPending ? ' · updating…' : ''}
        </span>
        <span>
          {total > 0 && (
            <span className="muted small">
              Loaded {formatCount(rows.length)} of {formatCount(total)}
              {hasMore ? '; scroll for more' : ''}{' '}
            </span>
          )}
          <ExportButton filters={filters} total={total} />
        </span>
      </div>
      <ErrorNote error={query.error} />
      <div className="table-scroll" ref={scrollRef} style={{ height: 'max(22rem, calc(100vh - 30rem))' }}>
        <table className="data" aria-label="Devices" aria-rowcount={total + 1}>
          <colgroup>
            {COLUMNS.map((c) => (
              <col key={c.key} style={{ width: c.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={c.sort && c.sort === sortField ? (direction === 'ASC' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sort ? (
                    <button type="button" onClick={() => sortBy(c.sort!)}>
                      {c.label}
                      {c.sort === sortField ? (direction === 'ASC' ? ' ▲' : ' ▼') : ''}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true">
                <td colSpan={COLUMNS.length} style={{ height: padTop, padding: 0, border: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const d = rows[item.index];
              if (!d) {
                return (
                  <tr key="loader">
                    <td colSpan={COLUMNS.length} className="muted">
                      Loading more…
                    </td>
                  </tr>
                );
              }
              return (
                <tr key={d.id} aria-rowindex={item.index + 2} data-device-id={d.id}>
                  {COLUMNS.map((c) => (
                    <td key={c.key}>{c.render(d)}</td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true">
                <td colSpan={COLUMNS.length} style={{ height: padBottom, padding: 0, border: 0 }} />
              </tr>
            )}
            {!query.isPending && rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length} className="muted">
                  No device matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

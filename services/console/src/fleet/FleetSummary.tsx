import { useQuery } from '@tanstack/react-query';
import { FLEET_SUMMARY, toDeviceFilter, type FleetSummaryResult } from '../api/fleet.js';
import { gql } from '../lib/graphql.js';
import { formatCount, humanize } from '../ui/format.js';
import { ErrorNote } from '../ui/Panel.js';
import type { FleetFilters } from './filters.js';

interface Item {
  id: string;
  label: string;
  count: number;
  selected: boolean;
  toggle: () => void;
}

function Counts({ title, items, total }: { title: string; items: Item[]; total: number }) {
  const id = `summary-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="panel" aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
      </header>
      {items.length === 0 ? (
        <p className="muted small">No devices</p>
      ) : (
        <ul className="counts">
          {items.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                aria-pressed={item.selected}
                onClick={item.toggle}
                title={item.selected ? `Stop filtering by ${item.label}` : `Show only ${item.label}`}
              >
                <span className="label">{item.label}</span>
                <span className="num">{formatCount(item.count)}</span>
                <span className="bar" aria-hidden="true">
                  <span style={{ width: `${total ? Math.max(1, (item.count / total) * 100) : 0}%` }} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Counts of the devices matching the current filters, by status, kind, firmware and segment.
 * Clicking a count filters the table by it (and clicking it again stops).
 */
export function FleetSummary({ filters, onChange }: { filters: FleetFilters; onChange: (f: FleetFilters) => void }) {
  const query = useQuery({
    queryKey: ['fleetSummary', filters],
    queryFn: ({ signal }) => gql<FleetSummaryResult>(FLEET_SUMMARY, { filter: toDeviceFilter({ ...filters, sort: undefined, dir: undefined }) }, { signal }),
    placeholderData: (previous) => previous,
    // Counts move during an incident (quarantines, devices dropping off): keep them fresh.
    refetchInterval: 30_000,
  });
  if (query.error) return <ErrorNote error={query.error} />;
  const s = query.data?.fleetSummary;
  const total = s?.total ?? 0;
  const toggle = (key: keyof FleetFilters, value: string) => () =>
    onChange({ ...filters, [key]: filters[key] === value ? undefined : value });

  return (
    <div className="summary" aria-busy={query.isFetching}>
      <div className="grid-4">
        <Counts
          title="By status"
          total={total}
          items={(s?.byStatus ?? []).map((b) => ({
            id: b.status,
            label: humanize(b.status),
            count: b.count,
            selected: filters.status === b.status,
            toggle: toggle('status', b.status),
          }))}
        />
        <Counts
          title="By kind"
          total={total}
          items={(s?.byKind ?? []).map((b) => ({
            id: b.kind,
            label: humanize(b.kind),
            count: b.count,
            selected: filters.kind === b.kind,
            toggle: toggle('kind', b.kind),
          }))}
        />
        <Counts
          title="By firmware"
          total={total}
          items={(s?.byFirmware ?? [])
            .filter((b) => b.version)
            .sort((a, b) => b.count - a.count)
            .map((b) => ({
              id: `${b.model.id}@${b.version}`,
              label: `${b.model.vendor} ${b.model.name} · ${b.version}`,
              count: b.count,
              selected: filters.model === b.model.id && filters.firmware === b.version,
              toggle: () =>
                onChange(
                  filters.model === b.model.id && filters.firmware === b.version
                    ? { ...filters, model: undefined, firmware: undefined }
                    : { ...filters, model: b.model.id, firmware: b.version ?? undefined },
                ),
            }))}
        />
        <Counts
          title="By segment"
          total={total}
          items={(s?.bySegment ?? []).map((b) => ({
            id: b.segment?.id ?? 'none',
            label: b.segment ? `${b.segment.site.code} / ${b.segment.name}` : 'No segment',
            count: b.count,
            selected: !!b.segment && filters.segment === b.segment.id,
            toggle: b.segment ? toggle('segment', b.segment.id) : () => undefined,
          }))}
        />
      </div>
    </div>
  );
}

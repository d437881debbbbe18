import { Link } from 'wouter';
import type { IncidentDevice } from '../api/incidents.js';
import { Badge } from '../ui/Badge.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { humanize } from '../ui/format.js';

const STATUS_TONE: Record<string, 'active' | 'quarantined' | 'provisioning' | 'retired'> = {
  ACTIVE: 'active',
  QUARANTINED: 'quarantined',
  PROVISIONING: 'provisioning',
  RETIRED: 'retired',
};

export interface DeviceFlags {
  /** Cut-off would stop something people rely on for safety (badge readers, cameras). */
  failSafe?: boolean;
}

/**
 * Devices with their placement, firmware and state; with `selected`, each row has a checkbox
 * (named after the device) for choosing what a containment action touches.
 */
export function DeviceList({
  label,
  devices,
  selected,
  onToggle,
  flags,
  extra = [],
  maxHeight = '22rem',
}: {
  label: string;
  devices: readonly IncidentDevice[];
  selected?: ReadonlySet<string>;
  onToggle?: (id: string, on: boolean) => void;
  flags?: (d: IncidentDevice) => DeviceFlags;
  extra?: Column<IncidentDevice>[];
  maxHeight?: string;
}) {
  const columns: Column<IncidentDevice>[] = [
    ...(selected && onToggle
      ? [
          {
            key: 'pick',
            header: <span className="visually-hidden">Select</span>,
            width: '2.2rem',
            render: (d: IncidentDevice) => (
              <input type="checkbox" aria-label={`Select ${d.name}`} checked={selected.has(d.id)} onChange={(e) => onToggle(d.id, e.target.checked)} />
            ),
          },
        ]
      : []),
    { key: 'name', header: 'Device', title: (d) => d.serial, render: (d) => <Link href={`/devices/${d.id}`}>{d.name}</Link> },
    { key: 'kind', header: 'Kind', width: '7rem', render: (d) => humanize(d.kind) },
    { key: 'segment', header: 'Segment', width: '8rem', render: (d) => d.segment?.name ?? '—' },
    { key: 'firmware', header: 'Firmware', width: '7.5rem', render: (d) => d.firmwareVersion ?? '—' },
    {
      key: 'status',
      header: 'Status',
      width: '8.5rem',
      render: (d) => (
        <span data-testid={`device-status-${d.id}`}>
          <Badge tone={STATUS_TONE[d.status] ?? 'retired'}>{humanize(d.status)}</Badge>
        </span>
      ),
    },
    {
      key: 'flags',
      header: 'Notes',
      width: '10rem',
      render: (d) => {
        const notes = [flags?.(d).failSafe ? 'fail-safe' : null, d.model.otaCapable ? null : 'no OTA updates'].filter(Boolean);
        return notes.length ? <span className="warn-text small">{notes.join(', ')}</span> : null;
      },
    },
    ...extra,
  ];
  return <DataTable label={label} columns={columns} rows={devices} rowKey={(d) => d.id} maxHeight={maxHeight} />;
}

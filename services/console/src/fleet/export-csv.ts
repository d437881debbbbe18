/** One device as the export writes it. */
export interface ExportDevice {
  serial: string;
  controllerId: string;
  name: string;
  kind: string;
  firmwareVersion: string | null;
  ip: string | null;
  mac: string | null;
  tags: string[];
  location: string | null;
  owner: string | null;
  criticality: string;
  status: string;
  lastSeenAt: string | null;
  model: { vendor: string; name: string };
  segment: { name: string; site: { code: string } } | null;
}

/**
 * The columns of the import format (so an exported file can be edited and imported back), then
 * read-only facts under names the import ignores.
 */
const COLUMNS: [string, (d: ExportDevice) => string][] = [
  ['serial', (d) => d.serial],
  ['controller_id', (d) => d.controllerId],
  ['name', (d) => d.name],
  ['model', (d) => `${d.model.vendor}/${d.model.name}`],
  ['kind', (d) => d.kind],
  ['firmware', (d) => d.firmwareVersion ?? ''],
  ['segment', (d) => (d.segment ? `${d.segment.site.code}/${d.segment.name}` : '')],
  ['ip', (d) => d.ip ?? ''],
  ['mac', (d) => d.mac ?? ''],
  ['tags', (d) => d.tags.join(';')],
  ['location', (d) => d.location ?? ''],
  ['owner', (d) => d.owner ?? ''],
  ['criticality', (d) => d.criticality],
  ['current_status', (d) => d.status],
  ['last_seen', (d) => d.lastSeenAt ?? ''],
];

function cell(value: string): string {
  // Quote when needed, and defuse spreadsheet formulas (a cell starting with = + - @ runs as one).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function devicesToCsv(devices: ExportDevice[]): string {
  const lines = [COLUMNS.map(([h]) => h).join(',')];
  for (const d of devices) lines.push(COLUMNS.map(([, get]) => cell(get(d))).join(','));
  return `${lines.join('\n')}\n`;
}

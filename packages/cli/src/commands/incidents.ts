import type { Command } from 'commander';
import { clientFor, collect, enumList, positiveInt, type GlobalOptions } from '../context.js';
import { print, printJson, type Io } from '../io.js';
import { ago, renderTable } from '../render/table.js';
import { Names } from '../resolve.js';

const STATUSES = ['OPEN', 'TRIAGED', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'] as const;
const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const PAGE = 100;

interface IncidentRow {
  id: string;
  title: string;
  rule: string;
  severity: string;
  status: string;
  alertCount: number;
  lastAlertAt: string;
  segment: { name: string; site: { code: string } } | null;
  assignee: { email: string } | null;
  devices: { id: string }[];
}

interface ListOptions extends GlobalOptions {
  status?: string[];
  open?: boolean;
  severity?: string[];
  segment?: string;
  limit: number;
  json?: boolean;
}

async function listIncidents(opts: ListOptions, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const statuses = opts.open ? STATUSES.filter((s) => s !== 'CLOSED') : enumList('--status', opts.status, STATUSES);
    const segmentId = opts.segment ? (await new Names(client).segmentIds([opts.segment]))![0] : undefined;
    const filter = Object.fromEntries(Object.entries({ statuses, severities: enumList('--severity', opts.severity, SEVERITIES), segmentId }).filter(([, v]) => v !== undefined));
    const rows: IncidentRow[] = [];
    let after: string | null = null;
    for (;;) {
      const r: { incidents: { nodes: IncidentRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await client.request(
        `query ($filter: IncidentFilter, $first: Int!, $after: String) {
          incidents(filter: $filter, first: $first, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { id title rule severity status alertCount lastAlertAt segment { name site { code } } assignee { email } devices { id } }
          }
        }`,
        { filter, first: Math.min(PAGE, opts.limit - rows.length), after },
      );
      rows.push(...r.incidents.nodes);
      if (!r.incidents.pageInfo.hasNextPage || rows.length >= opts.limit) break;
      after = r.incidents.pageInfo.endCursor;
    }
    if (opts.json) {
      printJson(io, rows.map(({ devices, ...i }) => ({ ...i, deviceIds: devices.map((d) => d.id) })));
      return 0;
    }
    const now = Date.now();
    print(
      io,
      renderTable(
        rows,
        [
          { header: 'ID', value: (i) => i.id },
          { header: 'SEVERITY', value: (i) => i.severity },
          { header: 'STATUS', value: (i) => i.status },
          { header: 'RULE', value: (i) => i.rule },
          { header: 'SEGMENT', value: (i) => (i.segment ? `${i.segment.site.code}/${i.segment.name}` : null) },
          { header: 'DEVICES', value: (i) => i.devices.length, right: true },
          { header: 'ALERTS', value: (i) => i.alertCount, right: true },
          { header: 'LAST ALERT', value: (i) => ago(i.lastAlertAt, now) },
          { header: 'ASSIGNEE', value: (i) => i.assignee?.email },
          { header: 'TITLE', value: (i) => i.title, flex: true },
        ],
        io.columns,
      ),
    );
    return 0;
  } finally {
    await client.close();
  }
}

export function registerIncidents(program: Command, io: Io, exit: (code: number) => void) {
  const incidents = program.command('incidents').description('incidents detection opened');
  incidents
    .command('list')
    .description('incidents, most recently active first')
    .option('--status <statuses>', `lifecycle statuses (${STATUSES.join(', ')})`, collect)
    .option('--open', 'every status but CLOSED')
    .option('--severity <severities>', `severities (${SEVERITIES.join(', ')})`, collect)
    .option('--segment <segment>', 'one segment (site-code/segment-name or id)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => exit(await listIncidents(cmd.optsWithGlobals<ListOptions>(), io)));
}

import type { Command } from 'commander';
import { clientFor, collect, enumList, positiveInt, type GlobalOptions } from '../context.js';
import { ApiError, CliError, describeError } from '../errors.js';
import { chunkCsv, chunkJson, type ImportChunk, type ImportPlan } from '../import/chunks.js';
import { note, print, printJson, type Io } from '../io.js';
import { createProgress } from '../render/progress.js';
import { ago, renderTable } from '../render/table.js';
import { Names } from '../resolve.js';

const KINDS = ['SPEAKER', 'LIGHT', 'THERMOSTAT', 'PRINTER', 'CAMERA', 'BADGE_READER', 'TV', 'SENSOR', 'HUB', 'OTHER'] as const;
const STATUSES = ['PROVISIONING', 'ACTIVE', 'QUARANTINED', 'RETIRED'] as const;
const CRITICALITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const SORTS: Record<string, string> = { name: 'NAME', serial: 'SERIAL', 'last-seen': 'LAST_SEEN', firmware: 'FIRMWARE', created: 'CREATED' };
/** Rows per page: well inside the API's page cap and query cost limit. */
const PAGE = 250;

interface DeviceRow {
  id: string;
  serial: string;
  name: string;
  kind: string;
  firmwareVersion: string | null;
  status: string;
  criticality: string;
  ip: string | null;
  tags: string[];
  lastSeenAt: string | null;
  model: { vendor: string; name: string };
  segment: { name: string; site: { code: string } } | null;
}

const DEVICES_QUERY = /* GraphQL */ `
  query ($filter: DeviceFilter, $first: Int!, $after: String, $orderBy: DeviceOrder, $count: Boolean!) {
    devices(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount @include(if: $count)
      pageInfo { hasNextPage endCursor }
      nodes { id serial name kind firmwareVersion status criticality ip tags lastSeenAt model { vendor name } segment { name site { code } } }
    }
  }
`;

interface ListOptions extends GlobalOptions {
  kind?: string[];
  status?: string[];
  criticality?: string[];
  model?: string[];
  segment?: string[];
  site?: string[];
  tag?: string[];
  anyTag?: string[];
  firmware?: string[];
  firmwareBelow?: string;
  firmwareAtLeast?: string;
  seenBefore?: string;
  seenAfter?: string;
  neverSeen?: boolean;
  ota?: boolean;
  search?: string;
  sort?: string;
  desc?: boolean;
  limit: number;
  all?: boolean;
  json?: boolean;
}

function isoDate(option: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new CliError(`${option}: not a date or time: "${v}" (e.g. 2026-11-25 or 2026-11-25T08:00:00Z)`, 2);
  return new Date(t).toISOString();
}

async function listDevices(opts: ListOptions, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  const names = new Names(client);
  const filter = Object.fromEntries(
    Object.entries({
      kinds: enumList('--kind', opts.kind, KINDS),
      statuses: enumList('--status', opts.status, STATUSES),
      criticalities: enumList('--criticality', opts.criticality, CRITICALITIES),
      modelIds: await names.modelIds(opts.model),
      segmentIds: await names.segmentIds(opts.segment),
      siteIds: await names.siteIds(opts.site),
      tags: opts.tag,
      anyTags: opts.anyTag,
      firmwareVersions: opts.firmware,
      firmwareBelow: opts.firmwareBelow,
      firmwareAtLeast: opts.firmwareAtLeast,
      lastSeenBefore: isoDate('--seen-before', opts.seenBefore),
      lastSeenAfter: isoDate('--seen-after', opts.seenAfter),
      neverSeen: opts.neverSeen,
      otaCapable: opts.ota,
      search: opts.search,
    }).filter(([, v]) => v !== undefined),
  );
  let orderBy: { field: string; direction: string } | undefined;
  if (opts.sort) {
    const field = SORTS[opts.sort];
    if (!field) throw new CliError(`--sort: use one of ${Object.keys(SORTS).join(', ')}`, 2);
    orderBy = { field, direction: opts.desc ? 'DESC' : 'ASC' };
  }
  const limit = opts.all ? Infinity : opts.limit;
  const rows: DeviceRow[] = [];
  let total: number | undefined;
  let after: string | null = null;
  try {
    for (;;) {
      const first = Math.min(PAGE, limit - rows.length);
      const r: { devices: { totalCount?: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: DeviceRow[] } } = await client.request(DEVICES_QUERY, {
        filter,
        first,
        after,
        orderBy,
        count: total === undefined,
      });
      total ??= r.devices.totalCount;
      rows.push(...r.devices.nodes);
      if (!r.devices.pageInfo.hasNextPage || rows.length >= limit) break;
      after = r.devices.pageInfo.endCursor;
    }
  } finally {
    await client.close();
  }

  if (opts.json) {
    printJson(io, rows);
    return 0;
  }
  const now = Date.now();
  print(
    io,
    renderTable(
      rows,
      [
        { header: 'SERIAL', value: (d) => d.serial },
        { header: 'NAME', value: (d) => d.name, flex: true },
        { header: 'KIND', value: (d) => d.kind },
        { header: 'MODEL', value: (d) => `${d.model.vendor}/${d.model.name}` },
        { header: 'FIRMWARE', value: (d) => d.firmwareVersion },
        { header: 'SEGMENT', value: (d) => (d.segment ? `${d.segment.site.code}/${d.segment.name}` : null) },
        { header: 'STATUS', value: (d) => d.status },
        { header: 'LAST SEEN', value: (d) => ago(d.lastSeenAt, now) },
      ],
      io.columns,
    ),
  );
  const shown = rows.length.toLocaleString('en-US');
  const of = (total ?? rows.length).toLocaleString('en-US');
  note(io, rows.length < (total ?? 0) ? `${shown} of ${of} devices (--limit N or --all for more)` : `${of} devices`);
  return 0;
}

interface ImportOptions extends GlobalOptions {
  format?: string;
  chunkSize: number;
  json?: boolean;
}

interface ImportResult {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { line: number; serial: string | null; field: string; message: string }[];
}

/** An error the API reported for a chunk, with its line (and any line its message names) as in the file. */
function fileLines(e: ImportResult['errors'][number], chunk: ImportChunk): ImportResult['errors'][number] {
  return { ...e, line: chunk.toFileLine(e.line), message: e.message.replace(/\bline (\d+)/g, (_, n: string) => `line ${chunk.toFileLine(Number(n))}`) };
}

const IMPORT_MUTATION = /* GraphQL */ `
  mutation ($input: ImportDevicesInput!) {
    importDevices(input: $input) { total created updated unchanged failed errors { line serial field message } }
  }
`;

/**
 * Imports a CSV or JSON file in chunks (each one `importDevices` call), with a progress bar and
 * every rejected row reported by its line in the file. The API matches devices by serial, so a
 * run that stopped half-way can simply be repeated.
 */
async function importDevices(file: string, opts: ImportOptions, io: Io): Promise<number> {
  const format = (opts.format ?? (/\.json$/i.test(file) ? 'json' : 'csv')).toUpperCase();
  if (format !== 'CSV' && format !== 'JSON') throw new CliError('--format: use csv or json', 2);
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const plan: ImportPlan = format === 'CSV' ? chunkCsv(text, opts.chunkSize) : chunkJson(text, opts.chunkSize);
  const client = clientFor(opts, io);
  const rejected = plan.rejected.length;
  const sum: ImportResult = { total: rejected, created: 0, updated: 0, unchanged: 0, failed: rejected, errors: [...plan.rejected] };
  const progress = createProgress(io, plan.rows + rejected, 'rows');
  progress.update(sum.total, rejected ? `${rejected} failed` : '');
  try {
    for (const chunk of plan.chunks) {
      let r: ImportResult;
      try {
        ({ importDevices: r } = await client.request<{ importDevices: ImportResult }>(IMPORT_MUTATION, { input: { format, data: chunk.data } }));
      } catch (err) {
        progress.done();
        const landed = sum.total - rejected ? ` ${(sum.total - rejected).toLocaleString('en-US')} rows before it were imported; running the import again is safe (devices are matched by serial).` : '';
        if (err instanceof ApiError) throw new ApiError(err.code, `${err.message} (import stopped at line ${chunk.toFileLine(2)}).${landed}`, err.field);
        throw new CliError(`${describeError(err)} (import stopped at line ${chunk.toFileLine(2)}).${landed}`);
      }
      sum.total += r.total;
      sum.created += r.created;
      sum.updated += r.updated;
      sum.unchanged += r.unchanged;
      sum.failed += r.failed;
      sum.errors.push(...r.errors.map((e) => fileLines(e, chunk)));
      progress.update(sum.total, sum.failed ? `${sum.failed.toLocaleString('en-US')} failed` : '');
    }
  } finally {
    progress.done();
    await client.close();
  }

  sum.errors.sort((a, b) => a.line - b.line);
  if (opts.json) {
    printJson(io, { file, ...sum });
  } else {
    const n = (x: number) => x.toLocaleString('en-US');
    print(io, `Imported ${n(sum.total)} rows from ${file}: ${n(sum.created)} created, ${n(sum.updated)} updated, ${n(sum.unchanged)} unchanged, ${n(sum.failed)} failed.`);
    if (sum.errors.length) {
      print(io);
      print(io, renderTable(sum.errors, [
        { header: 'LINE', value: (e) => e.line, right: true },
        { header: 'SERIAL', value: (e) => e.serial },
        { header: 'FIELD', value: (e) => e.field },
        { header: 'PROBLEM', value: (e) => e.message, flex: true },
      ]));
    }
  }
  return sum.failed ? 1 : 0;
}

export function registerDevices(program: Command, io: Io, exit: (code: number) => void) {
  const devices = program.command('devices').description('the device registry');
  devices
    .command('list')
    .description('list devices, filtered as in the console (table, or --json)')
    .option('--kind <kinds>', `device kinds (${KINDS.join(', ')}); comma-separated or repeated`, collect)
    .option('--status <statuses>', `statuses (${STATUSES.join(', ')})`, collect)
    .option('--criticality <levels>', `criticalities (${CRITICALITIES.join(', ')})`, collect)
    .option('--model <models>', 'models, as vendor/name or id', collect)
    .option('--segment <segments>', 'segments, as site-code/segment-name or id', collect)
    .option('--site <sites>', 'sites, by code or id', collect)
    .option('--tag <tags>', 'devices carrying every one of these tags', collect)
    .option('--any-tag <tags>', 'devices carrying at least one of these tags', collect)
    .option('--firmware <versions>', 'exact firmware versions', collect)
    .option('--firmware-below <version>', 'firmware strictly below this version')
    .option('--firmware-at-least <version>', 'firmware at or above this version')
    .option('--seen-before <time>', 'last heard from before this time')
    .option('--seen-after <time>', 'last heard from after this time')
    .option('--never-seen', 'never heard from')
    .option('--ota', 'only models updatable over the air')
    .option('--no-ota', 'only models that cannot be updated over the air')
    .option('--search <text>', 'free text over name, serial, controller id, location, owner, MAC and IP')
    .option('--sort <field>', `sort by ${Object.keys(SORTS).join(', ')}`)
    .option('--desc', 'sort descending')
    .option('--limit <n>', 'at most this many devices', positiveInt('--limit'), 50)
    .option('--all', 'every matching device (pages through them)')
    .option('--json', 'print JSON (an array of devices) instead of a table')
    .action(async (_opts, cmd: Command) => exit(await listDevices(cmd.optsWithGlobals<ListOptions>(), io)));
  devices
    .command('import')
    .description('register or update devices from a CSV or JSON file, in chunks, with a progress bar')
    .argument('<file>', 'CSV (header: serial,model,… as in the console) or JSON; - reads standard input')
    .option('--format <format>', 'csv or json (default: from the file name)')
    .option('--chunk-size <rows>', 'rows per request', positiveInt('--chunk-size'), 500)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit status: 0 when every row landed, 1 when a row was rejected or the import failed.')
    .action(async (file: string, _opts, cmd: Command) => exit(await importDevices(file, cmd.optsWithGlobals<ImportOptions>(), io)));
}

import type { Command } from 'commander';
import type { WardenClient } from '../client.js';
import { clientFor, collect, positiveInt, type GlobalOptions } from '../context.js';
import { ApiError, CliError } from '../errors.js';
import { note, print, printJson, type Io } from '../io.js';
import { FINAL_STATUSES, progressBlock, progressLine, type RolloutProgress } from '../render/rollout.js';
import { renderTable } from '../render/table.js';
import { Names } from '../resolve.js';

const PROGRESS_FIELDS = 'rolloutId status statusReason total succeeded failed waves { index name size status succeeded failed open }';
const ROLLOUT_FIELDS = `id name status statusReason requiresApproval approvedBy emergency createdAt startedAt finishedAt
  release { version model { vendor name } } progress { ${PROGRESS_FIELDS} } exclusions { reason }`;

interface Rollout {
  id: string;
  name: string;
  status: string;
  statusReason: string | null;
  requiresApproval: boolean;
  approvedBy: string | null;
  emergency: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  release: { version: string; model: { vendor: string; name: string } };
  progress: RolloutProgress;
  exclusions: { reason: string }[];
}

const STATUSES = ['WAITING_APPROVAL', 'READY', 'RUNNING', 'PAUSED', 'SUCCEEDED', 'ABORTED', 'CANCELED'];

/** `1%,10%,50%,100%` (cumulative shares) or `5,50,200` (devices per wave), mixed as the API allows. */
export function parseWaves(spec: string): { percent?: number; size?: number }[] {
  return spec.split(',').map((raw) => {
    const s = raw.trim();
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(s);
    if (!m) throw new CliError(`--waves: "${s}" is neither a share (10%) nor a number of devices (25)`, 2);
    return m[2] ? { percent: Number(m[1]) } : { size: Number(m[1]) };
  });
}

function describeRollout(r: Rollout): string[] {
  const excluded = new Map<string, number>();
  for (const e of r.exclusions) excluded.set(e.reason, (excluded.get(e.reason) ?? 0) + 1);
  const lines = [
    `Rollout ${r.id} "${r.name}": ${r.release.model.vendor}/${r.release.model.name} ${r.release.version}, ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}`,
    `  ${r.progress.total} devices in ${r.progress.waves.length} waves (${r.progress.waves.map((w) => w.size).join(', ')})${r.emergency ? ', emergency' : ''}`,
  ];
  if (excluded.size) lines.push(`  ${r.exclusions.length} excluded: ${[...excluded].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return lines;
}

interface CreateOptions extends GlobalOptions {
  name: string;
  release: string;
  model?: string[];
  segment?: string[];
  site?: string[];
  tag?: string[];
  device?: string[];
  versionRange?: string;
  waves?: string;
  successThreshold?: number;
  errorThreshold?: number;
  overallErrorThreshold?: number;
  onError?: string;
  deadline?: number;
  waveDelay?: number;
  emergency?: boolean;
  forced?: boolean;
  approval: boolean;
  json?: boolean;
}

async function createRollout(opts: CreateOptions, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const names = new Names(client);
    const onError = opts.onError?.toUpperCase();
    if (onError && onError !== 'PAUSE' && onError !== 'ABORT') throw new CliError('--on-error: use pause or abort', 2);
    const filter = Object.fromEntries(
      Object.entries({
        modelIds: await names.modelIds(opts.model),
        segmentIds: await names.segmentIds(opts.segment),
        siteIds: await names.siteIds(opts.site),
        tags: opts.tag,
        deviceIds: opts.device,
        versionRange: opts.versionRange,
      }).filter(([, v]) => v !== undefined),
    );
    const input = Object.fromEntries(
      Object.entries({
        name: opts.name,
        releaseId: await names.releaseId(opts.release),
        filter,
        waves: opts.waves ? parseWaves(opts.waves) : undefined,
        successThresholdPct: opts.successThreshold,
        errorThresholdPct: opts.errorThreshold,
        overallErrorThresholdPct: opts.overallErrorThreshold,
        errorAction: onError,
        deviceDeadlineSeconds: opts.deadline,
        waveDelaySeconds: opts.waveDelay,
        emergency: opts.emergency,
        forced: opts.forced,
        requiresApproval: opts.approval,
      }).filter(([, v]) => v !== undefined),
    );
    const { createRollout: r } = await client.request<{ createRollout: Rollout }>(`mutation ($input: CreateRolloutInput!) { createRollout(input: $input) { ${ROLLOUT_FIELDS} } }`, { input });
    if (opts.json) printJson(io, r);
    else {
      for (const line of describeRollout(r)) print(io, line);
      note(io, r.status === 'WAITING_APPROVAL' ? `Next: an admin runs \`warden rollouts approve ${r.id}\`, then \`warden rollouts start ${r.id} --watch\`.` : `Next: \`warden rollouts start ${r.id} --watch\`.`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

async function listRollouts(opts: GlobalOptions & { status?: string; limit: number; json?: boolean }, io: Io): Promise<number> {
  const status = opts.status?.toUpperCase();
  if (status && !STATUSES.includes(status)) throw new CliError(`--status: use one of ${STATUSES.join(', ')}`, 2);
  const client = clientFor(opts, io);
  try {
    const { rollouts } = await client.request<{ rollouts: Rollout[] }>(`query ($s: RolloutStatus, $n: Int!) { rollouts(status: $s, first: $n) { ${ROLLOUT_FIELDS} } }`, {
      s: status ?? null,
      n: opts.limit,
    });
    if (opts.json) printJson(io, rollouts);
    else {
      print(
        io,
        renderTable(
          rollouts,
          [
            { header: 'ID', value: (r) => r.id },
            { header: 'NAME', value: (r) => r.name, flex: true },
            { header: 'RELEASE', value: (r) => `${r.release.model.vendor}/${r.release.model.name} ${r.release.version}` },
            { header: 'STATUS', value: (r) => r.status },
            { header: 'DEVICES', value: (r) => r.progress.total, right: true },
            { header: 'DONE', value: (r) => `${r.progress.succeeded}/${r.progress.total}`, right: true },
            { header: 'FAILED', value: (r) => r.progress.failed, right: true },
            { header: 'CREATED', value: (r) => r.createdAt.slice(0, 16).replace('T', ' ') },
          ],
          io.columns,
        ),
      );
    }
    return 0;
  } finally {
    await client.close();
  }
}

async function showRollout(id: string, opts: GlobalOptions & { json?: boolean }, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const { rollout } = await client.request<{ rollout: Rollout | null }>(`query ($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id });
    if (!rollout) throw new ApiError('NOT_FOUND', `no rollout ${id}`);
    if (opts.json) printJson(io, rollout);
    else {
      print(io, describeRollout(rollout)[0]!);
      for (const line of progressBlock(rollout.name, rollout.progress, io.columns).slice(1)) print(io, line);
    }
    return 0;
  } finally {
    await client.close();
  }
}

type Transition = 'approve' | 'start' | 'pause' | 'resume' | 'cancel';
const MUTATION: Record<Transition, string> = {
  approve: 'approveRollout',
  start: 'startRollout',
  pause: 'pauseRollout',
  resume: 'resumeRollout',
  cancel: 'cancelRollout',
};

async function transition(action: Transition, id: string, opts: GlobalOptions & { json?: boolean; watch?: boolean; poll?: number }, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const field = MUTATION[action];
    const data = await client.request<Record<string, Rollout>>(`mutation ($id: ID!) { ${field}(id: $id) { ${ROLLOUT_FIELDS} } }`, { id });
    const r = data[field]!;
    if (opts.json && !opts.watch) printJson(io, r);
    else note(io, `Rollout ${r.id} "${r.name}" is ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}.`);
    return opts.watch ? await watch(client, r, opts, io) : 0;
  } finally {
    await client.close();
  }
}

/**
 * Follows a rollout's progress until it stops moving: over the `rolloutProgress` subscription
 * (graphql-ws), or by polling every `poll` seconds where WebSockets cannot pass. On a terminal the
 * waves redraw in place; otherwise a line is printed per change (`--json`: one JSON object per
 * line). Exits 0 once SUCCEEDED, 1 when it aborts, is canceled or pauses (it needs someone).
 */
async function watch(client: WardenClient, rollout: Pick<Rollout, 'id' | 'name'>, opts: { json?: boolean; poll?: number }, io: Io): Promise<number> {
  let drawn = 0;
  let lastLine = '';
  const show = (p: RolloutProgress) => {
    if (opts.json) return void io.stdout.write(`${JSON.stringify(p)}\n`);
    if (io.interactive) {
      const block = progressBlock(rollout.name, p, io.columns);
      io.stderr.write(`${drawn ? `\u001b[${drawn}A\u001b[J` : ''}${block.join('\n')}\n`);
      drawn = block.length;
      return;
    }
    const line = progressLine(p);
    if (line !== lastLine) print(io, `${rollout.name}  ${line}`);
    lastLine = line;
  };
  const stops = (p: RolloutProgress) => FINAL_STATUSES.includes(p.status) || p.status === 'PAUSED';
  const last = opts.poll ? await poll(client, rollout.id, opts.poll, show, stops) : await subscribe(client, rollout.id, show, stops);
  if (!opts.json && io.interactive) print(io, `${rollout.name}  ${progressLine(last)}`);
  return last.status === 'SUCCEEDED' ? 0 : 1;
}

function subscribe(client: WardenClient, id: string, show: (p: RolloutProgress) => void, stops: (p: RolloutProgress) => boolean): Promise<RolloutProgress> {
  return new Promise((resolve, reject) => {
    let last: RolloutProgress | undefined;
    let done = false;
    const unsubscribe = client.subscribe<{ rolloutProgress: RolloutProgress }>(
      `subscription ($id: ID!) { rolloutProgress(id: $id) { ${PROGRESS_FIELDS} } }`,
      { id },
      {
        next: ({ rolloutProgress: p }) => {
          last = p;
          show(p);
          if (stops(p) && !done) {
            done = true;
            unsubscribe();
            resolve(p);
          }
        },
        error: (err) => {
          done = true;
          reject(err);
        },
        complete: () => {
          if (done) return;
          done = true;
          if (last) resolve(last);
          else reject(new CliError(`the API ended the progress of rollout ${id} without a word`));
        },
      },
    );
  });
}

async function poll(client: WardenClient, id: string, seconds: number, show: (p: RolloutProgress) => void, stops: (p: RolloutProgress) => boolean): Promise<RolloutProgress> {
  let last = '';
  for (;;) {
    const { rolloutProgress: p } = await client.request<{ rolloutProgress: RolloutProgress }>(`query ($id: ID!) { rolloutProgress(id: $id) { ${PROGRESS_FIELDS} } }`, { id });
    const json = JSON.stringify(p);
    if (json !== last) show(p);
    last = json;
    if (stops(p)) return p;
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
}

async function watchRollout(id: string, opts: GlobalOptions & { json?: boolean; poll?: number }, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const { rollout } = await client.request<{ rollout: Pick<Rollout, 'id' | 'name' | 'status'> | null }>('query ($id: ID!) { rollout(id: $id) { id name status } }', { id });
    if (!rollout) throw new ApiError('NOT_FOUND', `no rollout ${id}`);
    if (rollout.status === 'WAITING_APPROVAL' || rollout.status === 'READY') note(io, `Rollout "${rollout.name}" is ${rollout.status}; waiting for it to start…`);
    return await watch(client, rollout, opts, io);
  } finally {
    await client.close();
  }
}

export function registerRollouts(program: Command, io: Io, exit: (code: number) => void) {
  const rollouts = program.command('rollouts').description('firmware rollouts: plan, approve, start, pause and watch');
  rollouts
    .command('list')
    .description('rollouts, newest first')
    .option('--status <status>', `only rollouts in this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => exit(await listRollouts(cmd.optsWithGlobals(), io)));
  rollouts
    .command('show')
    .description('one rollout with its waves')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _o, cmd: Command) => exit(await showRollout(id, cmd.optsWithGlobals(), io)));
  rollouts
    .command('create')
    .description('plan a rollout of a release to the devices matching a filter')
    .requiredOption('--name <name>', 'a name people will recognise')
    .requiredOption('--release <release>', 'the release: an id, or vendor/model@version')
    .option('--model <models>', 'target models (vendor/name or id)', collect)
    .option('--segment <segments>', 'target segments (site-code/segment-name or id)', collect)
    .option('--site <sites>', 'target sites (code or id)', collect)
    .option('--tag <tags>', 'target devices carrying any of these tags', collect)
    .option('--device <ids>', 'target these device ids', collect)
    .option('--version-range <range>', 'current firmware in this semver range, e.g. ">=1.0.0 <1.4.0"')
    .option('--waves <waves>', 'cumulative shares and/or device counts, e.g. 1%,10%,50%,100% (the default)')
    .option('--success-threshold <pct>', 'share of a wave that must succeed to advance', Number)
    .option('--error-threshold <pct>', 'share of a wave failing that stops the rollout', Number)
    .option('--overall-error-threshold <pct>', 'share of all devices failing that stops the rollout', Number)
    .option('--on-error <action>', 'pause or abort when a threshold is crossed')
    .option('--deadline <seconds>', 'seconds a device has to report before it counts as failed', Number)
    .option('--wave-delay <seconds>', 'seconds between waves', Number)
    .option('--emergency', 'no waiting between waves (thresholds still apply)')
    .option('--forced', 'devices install at once rather than when convenient')
    .option('--no-approval', 'start without an admin approval')
    .option('--json', 'print the created rollout as JSON')
    .action(async (_o, cmd: Command) => exit(await createRollout(cmd.optsWithGlobals<CreateOptions>(), io)));
  for (const [action, what] of [
    ['approve', 'approve a rollout (ADMIN)'],
    ['start', 'start an approved rollout'],
    ['pause', 'pause a running rollout'],
    ['resume', 'resume a paused rollout'],
    ['cancel', 'cancel a rollout; devices working on it are told to stop'],
  ] as const) {
    const c = rollouts
      .command(action)
      .description(what)
      .argument('<id>')
      .option('--json', 'print the rollout as JSON');
    if (action === 'start' || action === 'resume') {
      c.option('--watch', 'then watch its progress until it finishes or pauses').option('--poll <seconds>', 'with --watch: poll instead of subscribing', positiveInt('--poll'));
    }
    c.action(async (id: string, _o, cmd: Command) => exit(await transition(action, id, cmd.optsWithGlobals(), io)));
  }
  rollouts
    .command('watch')
    .description('follow a rollout live until it finishes or pauses (exit 0 only when it SUCCEEDED)')
    .argument('<id>')
    .option('--poll <seconds>', 'poll every N seconds instead of subscribing over WebSocket', positiveInt('--poll'))
    .option('--json', 'print each change as one JSON line')
    .action(async (id: string, _o, cmd: Command) => exit(await watchRollout(id, cmd.optsWithGlobals(), io)));
}

import type { Command } from 'commander';
import type { WardenClient } from '../client.js';
import { clientFor, positiveInt, type GlobalOptions } from '../context.js';
import { ApiError } from '../errors.js';
import { note, print, printJson, type Io } from '../io.js';
import { renderTable } from '../render/table.js';
import { isId } from '../resolve.js';

interface PlaybookRow {
  id: string;
  name: string;
  title: string | null;
  enabled: boolean;
  autoTrigger: boolean;
  version: number;
  stepCount: number;
  builtIn: boolean;
}

interface PlannedStep {
  index: number;
  id: string;
  type: string;
  decision: string;
  skipReason: string | null;
  touches: {
    deviceCount: number;
    segmentIds: string[];
    destinations: string[];
    webhook: { url: string | null; event: string; subscribers: string[] } | null;
    wait: { durationMs: number | null; timeoutMs: number | null } | null;
    approval: { role: string; message: string } | null;
  };
  excluded: { id: string; reason: string }[];
}

interface Plan {
  playbook: string;
  incidentId: string;
  applies: boolean;
  steps: PlannedStep[];
  totals: { devices: number; segments: number; destinations: number };
}

interface Run {
  id: string;
  playbookName: string;
  status: string;
  dryRun: boolean;
  currentStep: { id: string; type: string; status: string } | null;
  steps: { index: number; id: string; type: string; status: string; summary: string | null; error: string | null }[];
}

const RUN_FIELDS = 'id playbookName status dryRun currentStep { id type status } steps { index id type status summary error }';
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELED'];

async function playbookId(client: WardenClient, nameOrId: string): Promise<string> {
  if (isId(nameOrId)) return nameOrId;
  const { playbooks } = await client.request<{ playbooks: { id: string; name: string }[] }>('{ playbooks { id name } }');
  const hit = playbooks.find((p) => p.name === nameOrId) ?? playbooks.find((p) => p.name.toLowerCase() === nameOrId.toLowerCase());
  if (!hit) throw new ApiError('NOT_FOUND', `no playbook named "${nameOrId}" (\`warden playbooks list\` shows them)`);
  return hit.id;
}

/** What a step would act on, in words. */
export function touchesText(s: PlannedStep): string {
  const t = s.touches;
  const parts: string[] = [];
  if (t.deviceCount) parts.push(`${t.deviceCount} device${t.deviceCount === 1 ? '' : 's'}`);
  if (t.segmentIds.length) parts.push(`${t.segmentIds.length} segment${t.segmentIds.length === 1 ? '' : 's'}`);
  if (t.destinations.length) parts.push(t.destinations.join(', '));
  if (t.webhook) parts.push(t.webhook.url ?? `${t.webhook.subscribers.length} webhook subscriber${t.webhook.subscribers.length === 1 ? '' : 's'} (${t.webhook.event})`);
  if (t.wait) parts.push(t.wait.durationMs !== null ? `wait ${Math.round(t.wait.durationMs / 1000)} s` : `wait up to ${Math.round((t.wait.timeoutMs ?? 0) / 1000)} s`);
  if (t.approval) parts.push(`approval by ${t.approval.role}`);
  if (s.excluded.length) parts.push(`${s.excluded.length} left alone (${[...new Set(s.excluded.map((e) => e.reason))].join(', ')})`);
  return parts.join('; ') || 'nothing';
}

export function renderPlan(plan: Plan): string[] {
  const lines = [
    `Dry run of "${plan.playbook}" on incident ${plan.incidentId}: nothing was changed.`,
    plan.applies ? '' : "The playbook's condition does not hold for this incident: every step would be skipped.",
    renderTable(plan.steps, [
      { header: '#', value: (s) => s.index + 1, right: true },
      { header: 'STEP', value: (s) => s.id },
      { header: 'TYPE', value: (s) => s.type },
      { header: 'WOULD', value: (s) => s.decision },
      { header: 'TOUCHES', value: (s) => (s.decision === 'SKIP' ? (s.skipReason ?? 'skipped') : touchesText(s)), flex: true },
    ]),
    `In all: ${plan.totals.devices} devices, ${plan.totals.segments} segments, ${plan.totals.destinations} destinations.`,
  ];
  return lines.filter((l) => l !== '');
}

interface RunOptions extends GlobalOptions {
  incident: string;
  execute?: boolean;
  watch?: boolean;
  poll: number;
  json?: boolean;
}

/**
 * Dry run by default: the `dryRunPlaybook` query, which changes nothing, shows what every step
 * would touch. `--execute` starts a real run (`runPlaybook`) and, with `--watch`, follows it
 * until it finishes (exit 0 only when it SUCCEEDED).
 */
async function runPlaybook(nameOrId: string, opts: RunOptions, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  const id = await playbookId(client, nameOrId);
  if (!opts.execute) {
    const { dryRunPlaybook: plan } = await client.request<{ dryRunPlaybook: Plan }>(
      `query ($incident: ID!, $playbook: ID) {
        dryRunPlaybook(incidentId: $incident, playbookId: $playbook) {
          playbook incidentId applies totals { devices segments destinations }
          steps { index id type decision skipReason excluded { id reason }
            touches { deviceCount segmentIds destinations webhook { url event subscribers } wait { durationMs timeoutMs } approval { role message } } }
        }
      }`,
      { incident: opts.incident, playbook: id },
    );
    if (opts.json) printJson(io, plan);
    else {
      for (const line of renderPlan(plan)) print(io, line);
      note(io, `To run it: warden playbooks run ${nameOrId} --incident ${opts.incident} --execute`);
    }
    return 0;
  }
  const { runPlaybook: run } = await client.request<{ runPlaybook: Run }>(
    `mutation ($incident: ID!, $playbook: ID!) { runPlaybook(playbookId: $playbook, incidentId: $incident) { ${RUN_FIELDS} } }`,
    { incident: opts.incident, playbook: id },
  );
  if (!opts.watch) {
    if (opts.json) printJson(io, run);
    else print(io, `Started run ${run.id} of "${run.playbookName}": ${run.status}.`);
    return 0;
  }
  return followRun(client, run, opts, io);
}

/** Polls the run, printing each step as its status changes, until the run is over. */
async function followRun(client: WardenClient, first: Run, opts: RunOptions, io: Io): Promise<number> {
  const seen = new Map<string, string>();
  let run = first;
  let waitingNoted = false;
  for (;;) {
    for (const s of run.steps) {
      if (s.status === 'PENDING' || seen.get(s.id) === s.status) continue;
      seen.set(s.id, s.status);
      if (opts.json) io.stdout.write(`${JSON.stringify({ runId: run.id, step: s.id, type: s.type, status: s.status, summary: s.summary, error: s.error })}\n`);
      else print(io, `  ${s.index + 1}. ${s.id} (${s.type}): ${s.status}${s.summary ? ` — ${s.summary}` : ''}${s.error ? ` — ${s.error}` : ''}`);
    }
    if (FINAL.includes(run.status)) break;
    if (run.status === 'AWAITING_APPROVAL' && !waitingNoted && !opts.json) {
      note(io, `Run ${run.id} waits for an approval of step ${run.currentStep?.id} (in the console, or the approvePlaybookStep mutation).`);
      waitingNoted = true;
    }
    await new Promise((r) => setTimeout(r, opts.poll * 1000));
    const { playbookRun } = await client.request<{ playbookRun: Run | null }>(`query ($id: ID!) { playbookRun(id: $id) { ${RUN_FIELDS} } }`, { id: run.id });
    if (!playbookRun) throw new ApiError('NOT_FOUND', `run ${run.id} disappeared`);
    run = playbookRun;
  }
  if (!opts.json) print(io, `Run ${run.id} of "${run.playbookName}": ${run.status}.`);
  return run.status === 'SUCCEEDED' ? 0 : 1;
}

async function listPlaybooks(opts: GlobalOptions & { json?: boolean }, io: Io): Promise<number> {
  const client = clientFor(opts, io);
  const { playbooks } = await client.request<{ playbooks: PlaybookRow[] }>('{ playbooks { id name title enabled autoTrigger version stepCount builtIn } }');
  if (opts.json) printJson(io, playbooks);
  else
    print(
      io,
      renderTable(
        playbooks,
        [
          { header: 'NAME', value: (p) => p.name },
          { header: 'ENABLED', value: (p) => (p.enabled ? 'yes' : 'no') },
          { header: 'AUTO', value: (p) => (p.autoTrigger ? 'yes' : 'no') },
          { header: 'STEPS', value: (p) => p.stepCount, right: true },
          { header: 'VERSION', value: (p) => p.version, right: true },
          { header: 'ID', value: (p) => p.id },
          { header: 'TITLE', value: (p) => p.title, flex: true },
        ],
        io.columns,
      ),
    );
  return 0;
}

export function registerPlaybooks(program: Command, io: Io, exit: (code: number) => void) {
  const playbooks = program.command('playbooks').description('incident-response playbooks');
  playbooks
    .command('list')
    .description('playbooks by name')
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => exit(await listPlaybooks(cmd.optsWithGlobals(), io)));
  playbooks
    .command('run')
    .description('show what a playbook would do on an incident (a dry run: changes nothing); --execute runs it')
    .argument('<playbook>', 'the playbook, by name or id')
    .requiredOption('--incident <id>', 'the incident it acts on')
    .option('--execute', 'run it for real (RESPONDER)')
    .option('--watch', 'with --execute: follow the run until it finishes')
    .option('--poll <seconds>', 'with --watch: seconds between looks', positiveInt('--poll'), 1)
    .option('--json', 'print JSON (with --watch: one line per step change)')
    .action(async (name: string, _o, cmd: Command) => exit(await runPlaybook(name, cmd.optsWithGlobals<RunOptions>(), io)));
}

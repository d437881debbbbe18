/**
 * `npm start`: migrates the database, seeds the demo office once (devices, firmware, the advisory
 * the demo worm exploits, the simulator's device roster), then runs every Warden service and the
 * virtual office as their own processes (as in production), starts a routine rollout, launches the
 * outbreak after a delay (or when you press o) and prints a compact live status. Ctrl-C (or q)
 * stops everything.
 *
 *   npm start -- --devices 5000 --seed 7 --outbreak-delay 30 --no-outbreak --no-simulator
 *
 * Flags set the matching variables (SIM_DEVICES, SIM_SEED, SIM_OUTBREAK_DELAY_SECONDS,
 * SIM_OUTBREAK=false, SIMULATOR_ENABLED=false); every variable is validated in packages/config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@warden/config';
import { DEMO_ROLLOUT_NAME, SYSTEM_ACTOR, provisionDemoRoster, seedDemoFirmware, seedDemoOffice, startDemoRollout } from '@warden/core';
import { seedBuiltinPlaybooks } from '@warden/core/playbooks';
import { LocalDiskStorage, loadSigner } from '@warden/core/firmware';
import { createDb, createSqlPool, ensureDatabase } from '@warden/db';
import { applyMigrations } from '@warden/db/migrate';
import { createJobQueue, createRedis, startDevKafka, wardenTopics, type DevKafka } from '@warden/runtime';
import { formatDemoStatus, readDemoStatus } from './demo-status.js';

const FLAGS: Record<string, { env: string; value?: string }> = {
  '--devices': { env: 'SIM_DEVICES' },
  '--seed': { env: 'SIM_SEED' },
  '--outbreak-delay': { env: 'SIM_OUTBREAK_DELAY_SECONDS' },
  '--telemetry': { env: 'SIM_TELEMETRY_TRANSPORT' },
  '--no-outbreak': { env: 'SIM_OUTBREAK', value: 'false' },
  '--no-containment': { env: 'SIM_CONTAINMENT', value: 'false' },
  '--no-simulator': { env: 'SIMULATOR_ENABLED', value: 'false' },
};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [name, inline] = args[i]!.split('=', 2) as [string, string | undefined];
  const flag = FLAGS[name];
  if (!flag) {
    console.error(`unknown flag ${name}; known: ${Object.keys(FLAGS).join(', ')}`);
    process.exit(2);
  }
  process.env[flag.env] = flag.value ?? inline ?? args[++i];
}
// The demo moves in minutes: devices report every 10 s and are told to poll DDI every 15 s
// (production: 30-60 s and 5 min),
// and services log warnings only so the status stays readable (LOG_LEVEL=info shows everything).
process.env.DDI_POLL_SECONDS ??= '15';
process.env.SIM_TELEMETRY_SECONDS ??= '10';
process.env.LOG_LEVEL ??= 'warn';

const config = loadConfig();
const c = { cyan: '\x1b[36m', green: '\x1b[32m', yellow: '\x1b[33m', red: '\x1b[31m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
const say = (msg: string) => console.log(`${c.cyan}[warden]${c.reset} ${msg}`);
const sim = config.simulator;

await ensureDatabase(config.databaseUrl);
const applied = await applyMigrations(config.databaseUrl);
say(applied.length ? `migrated: ${applied.join(', ')}` : 'database schema is up to date');

const db = createDb(config.databaseUrl);
const sql = createSqlPool(config.databaseUrl, 2);
const core = { db, sql, config };
const password = config.demo.adminPassword ?? randomBytes(12).toString('base64url');
// A device count asks for an office of that size (~2,000 devices per unit of scale) when seeding.
const scale = sim.devices ? Math.min(20, Math.max(0.01, sim.devices / 2000)) : config.demo.scale;
const seeded = await seedDemoOffice(core, SYSTEM_ACTOR, { seed: config.demo.seed, scale, adminPassword: password });
if (seeded.seeded) {
  say(`seeded the demo office: ${seeded.import!.created} devices`);
  console.log(`\n${c.bold}  Sign in (shown once, stored only as hashes):${c.reset}
    admin email     ${seeded.admin!.email}
    admin password  ${config.demo.adminPassword ? '(DEMO_ADMIN_PASSWORD)' : seeded.admin!.password}
    API key         ${seeded.admin!.apiKey}   (role RESPONDER, for scripts: Authorization: Bearer <key>)\n`);
} else {
  say('demo office already seeded (sign in with the credentials printed the first time, or set DEMO_ADMIN_PASSWORD on a fresh database)');
}
const signer = await loadSigner({ pem: config.firmware.signingKeyPem, file: config.firmware.signingKeyFile, createIfMissing: config.env !== 'production' });
const firmware = { ...core, storage: new LocalDiskStorage(config.firmware.storageDir), signer, maxArtifactBytes: config.firmware.maxBytes };
await seedDemoFirmware(firmware, SYSTEM_ACTOR, { exfil: sim.outbreak.exfil });
// Built-in playbooks (worm-outbreak) on databases seeded before they shipped too; by name, once.
const playbooks = await seedBuiltinPlaybooks(core, SYSTEM_ACTOR);
if (playbooks.length) say(`added the built-in playbook${playbooks.length === 1 ? '' : 's'} ${playbooks.join(', ')}`);
if (sim.enabled) {
  const { roster, issued } = await provisionDemoRoster(core, SYSTEM_ACTOR, {
    file: sim.rosterFile,
    siteCode: 'hq',
    tenant: config.ddi.tenant,
    firmwareKey: { keyId: signer.keyId, publicKeyPem: signer.publicKeyPem },
  });
  say(`${issued ? 'provisioned' : 'reusing'} the device roster for ${roster.devices.length} simulated devices (${sim.rosterFile}, tokens stored only as hashes in Warden)`);
}

// What stop() tears down, declared before anything is started: a signal during start-up (Ctrl-C,
// or a test stopping it before it is ready) must stop the broker and services started so far
// instead of killing this process and orphaning them.
let devKafka: DevKafka | null = null;
const children: ChildProcess[] = [];
let stopping = false;
const timers: NodeJS.Timeout[] = [];
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// Kafka: the cluster in KAFKA_BROKERS, or the in-memory dev broker (infra/dev-kafka) with Warden's topics.
if (!config.kafkaBrokers?.length) {
  const topics = Object.fromEntries(Object.entries(wardenTopics(config)).map(([t, n]) => [t, Math.min(n, config.kafka.devPartitions)]));
  devKafka = await startDevKafka({ topics });
  process.env.KAFKA_BROKERS = devKafka.brokers.join(',');
  say(`dev Kafka broker on ${process.env.KAFKA_BROKERS} (in memory; set KAFKA_BROKERS to use a real cluster)`);
}

/** The processes `npm start` runs: each is `services/<name>/src/main.ts`. */
const SERVICES = ['api', 'gateway', 'stream', 'worker', ...(sim.enabled ? ['simulator'] : [])];
const colours = ['\x1b[35m', '\x1b[34m', '\x1b[33m', '\x1b[32m', '\x1b[36m', '\x1b[31m'];

// Two malloc arenas, as the image sets (see Dockerfile): glibc's default holds on to freed Buffers.
const serviceEnv = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };

SERVICES.forEach((name, i) => {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], { stdio: ['ignore', 'pipe', 'pipe'], env: serviceEnv });
  const tag = `${colours[i % colours.length]}${name.padEnd(9)}${c.reset}|`;
  const pipe = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) console.log(`${tag} ${l}`);
    });
  };
  pipe(child.stdout!);
  pipe(child.stderr!);
  child.on('exit', (code) => {
    if (!stopping) {
      say(`${name} exited with ${code}; stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
});

const host = (h: string) => (h === '0.0.0.0' ? '127.0.0.1' : h);
const base = config.api.publicUrl ?? `http://${host(config.api.host)}:${config.api.port}`;
const simUrl = sim.enabled ? `http://${host(sim.control.host)}:${sim.control.port}` : null;

async function waitFor(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!stopping && Date.now() < until) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

let outbreakLaunched = false;

async function launchOutbreak(why: string): Promise<void> {
  if (!simUrl || outbreakLaunched) return;
  outbreakLaunched = true;
  try {
    const res = await fetch(`${simUrl}/outbreak`, { method: 'POST' });
    const body = (await res.json()) as { entry?: string; error?: { message: string } };
    say(res.ok ? `${c.red}${c.bold}outbreak${c.reset} (${why}): a worm got into ${body.entry} and is scanning its segment on telnet/SSH` : `outbreak refused: ${body.error?.message}`);
  } catch (err) {
    say(`could not reach the simulator: ${(err as Error).message}`);
  }
}

const apiOps = `http://${host(config.api.opsHost)}:${config.api.opsPort}`;
const ready = await waitFor(`${apiOps}/ready`, 90_000);
if (!stopping) {
  console.log(`\n${c.green}${c.bold}  Warden is ${ready ? 'ready' : 'starting (not ready yet: see the logs above)'}${c.reset}
    console    ${base}/
    GraphQL    ${base}/graphql
    IDE        ${base}/ide
    health     ${base}/health   ready ${apiOps}/ready   metrics ${apiOps}/metrics   (operations port)
    telemetry  http://${host(config.gateway.host)}:${config.gateway.port}/device/v1/telemetry   MQTT ${config.mqttUrl} warden/devices/<id>/telemetry
    DDI        http://${host(config.gateway.host)}:${config.gateway.port}/${config.ddi.tenant}/controller/v1/<controllerId>   (hawkBit, TargetToken)
    gateway    ready http://${host(config.gateway.opsHost)}:${config.gateway.opsPort}/ready   metrics http://${host(config.gateway.opsHost)}:${config.gateway.opsPort}/metrics   (operations port, not for devices)${
      simUrl ? `\n    simulator  ${simUrl}/status   (POST ${simUrl}/outbreak starts the outbreak)` : ''
    }
  ${sim.enabled && sim.outbreak.enabled ? `The outbreak starts ${sim.outbreak.delaySeconds ? `in ${sim.outbreak.delaySeconds} s` : 'when you press o'}${process.stdin.isTTY ? ' (press o to start it now)' : ''}. ` : ''}Ctrl-C${process.stdin.isTTY ? ' or q' : ''} stops everything.\n`);
}

if (ready && !stopping) {
  const redis = createRedis(config.redisUrl);
  const jobs = createJobQueue(redis, config.redisPrefix);
  try {
    const rollout = await startDemoRollout({ ...core, jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs }, SYSTEM_ACTOR);
    say(`demo rollout "${rollout.name}" is ${rollout.status.toLowerCase()}`);
  } catch (err) {
    say(`could not start the demo rollout: ${(err as Error).message}`);
  } finally {
    await jobs.close();
    redis.disconnect();
  }
  if (simUrl && sim.outbreak.enabled && sim.outbreak.delaySeconds > 0) {
    timers.push(setTimeout(() => void launchOutbreak(`${sim.outbreak.delaySeconds} s after start`), sim.outbreak.delaySeconds * 1000));
  }
  let last = '';
  const tick = async () => {
    if (stopping) return;
    try {
      const line = formatDemoStatus(await readDemoStatus(sql, DEMO_ROLLOUT_NAME, simUrl), c);
      if (line !== last) console.log(`${c.bold}[status]${c.reset} ${new Date().toLocaleTimeString()}  ${line}`);
      last = line;
    } catch (err) {
      say(`status unavailable: ${(err as Error).message}`);
    }
  };
  timers.push(setInterval(() => void tick(), 5000));
  void tick();
}

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on('data', (d: Buffer) => {
    const key = d.toString();
    if (key === 'o' || key === 'O') void launchOutbreak('you pressed o');
    // Raw mode turns Ctrl-C into a character instead of SIGINT.
    if (key === 'q' || key === '\u0003') void stop(0);
  });
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const t of timers) clearTimeout(t);
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  for (const ch of children) if (ch.exitCode === null) ch.kill('SIGTERM');
  const hard = setTimeout(() => {
    for (const ch of children) ch.kill('SIGKILL');
    process.exit(code);
  }, 15_000);
  hard.unref();
  await Promise.all(children.map((ch) => new Promise((r) => (ch.exitCode !== null || ch.signalCode !== null ? r(null) : ch.once('exit', r)))));
  await devKafka?.stop().catch(() => {});
  await db.$disconnect().catch(() => {});
  await sql.end().catch(() => {});
  say('stopped');
  process.exit(code);
}

/**
 * `npm start`: migrates the database, seeds the demo office once, then runs every Warden service
 * as its own process (as in production) with their logs prefixed, and stops them all on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@warden/config';
import { SYSTEM_ACTOR, seedDemoOffice } from '@warden/core';
import { createDb, createSqlPool, ensureDatabase } from '@warden/db';
import { applyMigrations } from '@warden/db/migrate';
import { startDevKafka, wardenTopics } from '@warden/runtime';

const config = loadConfig();
const c = { cyan: '\x1b[36m', green: '\x1b[32m', yellow: '\x1b[33m', bold: '\x1b[1m', reset: '\x1b[0m' };
const say = (msg: string) => console.log(`${c.cyan}[warden]${c.reset} ${msg}`);

await ensureDatabase(config.databaseUrl);
const applied = await applyMigrations(config.databaseUrl);
say(applied.length ? `migrated: ${applied.join(', ')}` : 'database schema is up to date');

const db = createDb(config.databaseUrl);
const sql = createSqlPool(config.databaseUrl, 2);
const password = config.demo.adminPassword ?? randomBytes(12).toString('base64url');
const seeded = await seedDemoOffice({ db, sql, config }, SYSTEM_ACTOR, { seed: config.demo.seed, scale: config.demo.scale, adminPassword: password });
await db.$disconnect();
await sql.end();
if (seeded.seeded) {
  say(`seeded the demo office: ${seeded.import!.created} devices`);
  console.log(`\n${c.bold}  Sign in (shown once, stored only as hashes):${c.reset}
    admin email     ${seeded.admin!.email}
    admin password  ${config.demo.adminPassword ? '(DEMO_ADMIN_PASSWORD)' : seeded.admin!.password}
    API key         ${seeded.admin!.apiKey}   (role RESPONDER, for scripts: Authorization: Bearer <key>)\n`);
} else {
  say('demo office already seeded (sign in with the credentials printed the first time, or set DEMO_ADMIN_PASSWORD on a fresh database)');
}

// Kafka: the cluster in KAFKA_BROKERS, or the in-memory dev broker (infra/dev-kafka) with Warden's topics.
if (!config.kafkaBrokers?.length) {
  const topics = Object.fromEntries(Object.entries(wardenTopics(config)).map(([t, n]) => [t, Math.min(n, config.kafka.devPartitions)]));
  const devKafka = await startDevKafka({ topics });
  process.env.KAFKA_BROKERS = devKafka.brokers.join(',');
  say(`dev Kafka broker on ${process.env.KAFKA_BROKERS} (in memory; set KAFKA_BROKERS to use a real cluster)`);
}

/** The services `npm start` runs. Each is `tsx services/<name>/src/main.ts`. */
const SERVICES = ['api', 'gateway', 'stream', 'worker'];
const colours = ['\x1b[35m', '\x1b[34m', '\x1b[33m', '\x1b[32m', '\x1b[36m', '\x1b[31m'];
const children: ChildProcess[] = [];
let stopping = false;

SERVICES.forEach((name, i) => {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
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
      stop(1);
    }
  });
  children.push(child);
});

const base = config.api.publicUrl ?? `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${config.api.port}`;
setTimeout(() => {
  console.log(`\n${c.green}${c.bold}  Warden is running${c.reset}
    console    ${base}/
    GraphQL    ${base}/graphql
    IDE        ${base}/ide
    health     ${base}/health   ready ${base}/ready   metrics ${base}/metrics
    telemetry  http://${config.gateway.host}:${config.gateway.port}/device/v1/telemetry   MQTT ${config.mqttUrl} warden/devices/<id>/telemetry
    DDI        http://${config.gateway.host}:${config.gateway.port}/${config.ddi.tenant}/controller/v1/<controllerId>   (hawkBit, TargetToken)
  Ctrl-C stops everything.\n`);
}, 2500);

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const ch of children) ch.kill('SIGTERM');
  const hard = setTimeout(() => {
    for (const ch of children) ch.kill('SIGKILL');
    process.exit(code);
  }, 15_000);
  hard.unref();
  Promise.all(children.map((ch) => new Promise((r) => (ch.exitCode !== null ? r(null) : ch.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

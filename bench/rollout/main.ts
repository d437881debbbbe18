/**
 * Rollout benchmark (issue 4), 10,000 devices:
 *  - device actions dispatched per minute by the orchestrator (BullMQ worker, 4 waves), beside bare
 *    BullMQ add + process of the same number of jobs;
 *  - DDI polls/s the gateway (its own process) sustains with 10,000 devices polling, beside a bare
 *    Express handler returning the same JSON;
 *  - DDI feedback posts/s (progress feedback, then every device closing its action), beside a bare
 *    handler accepting the same body.
 * Targets: >= 10,000 actions/min; >= 5,000 polls/s; orchestrator <= 2x bare BullMQ.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import { SYSTEM_ACTOR } from '@warden/core';
import { createRollout, startRollout, type RolloutDeps } from '@warden/core/rollouts';
import { createJobQueue, createLogger, createRedis } from '@warden/runtime';
import { createRolloutFleet, createTestDatabase, prepareTemplateDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { createRolloutWorkers } from '../../services/worker/src/rollouts.worker.js';
import { fmt, table, verdict } from '../lib.js';

const N = 10_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 100;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, match: m });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const rate = (r: autocannon.Result) => r.requests.total / (r.duration || SECONDS);

export async function run(): Promise<void> {
  await prepareTemplateDatabase();
  const database = await createTestDatabase();
  const prefix = testRedisPrefix();
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' };
  const config = testConfig({ ...env, ROLLOUT_EVALUATE_DEBOUNCE_MS: '100' });
  const redis = createRedis(TEST_REDIS_URL);
  const jobs = createJobQueue(redis, prefix);
  const deps: RolloutDeps = { db: database.db, sql: database.sql, config, jobs, evaluateDebounceMs: 100 };
  let t = performance.now();
  const fleet = await createRolloutFleet(deps, N);
  console.log(`set-up: ${N} devices with tokens and two releases in ${fmt((performance.now() - t) / 1000, 1)} s`);
  const rows: (string | number)[][] = [['measure', 'warden', 'raw engine', 'ratio']];

  // --- bare BullMQ: add + process N jobs -------------------------------------------------------
  const bare = new Queue('bench-bare', { connection: redis, prefix });
  let processed = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((r) => (allDone = r));
  const bareWorker = new Worker(
    'bench-bare',
    async () => {
      if (++processed === N) allDone();
    },
    { connection: redis, prefix, concurrency: config.rollouts.workerConcurrency },
  );
  await bareWorker.waitUntilReady();
  t = performance.now();
  for (let i = 0; i < N; i += 1000) await bare.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'job', data: { i: i + j }, opts: { removeOnComplete: true } })));
  await finished;
  const bareMs = performance.now() - t;
  await bareWorker.close();
  await bare.obliterate({ force: true });
  await bare.close();

  // --- orchestrator: N device actions over 4 waves ----------------------------------------------
  const workers = createRolloutWorkers({
    deps,
    jobs,
    connection: redis,
    prefix,
    log: createLogger('bench-worker', 'silent'),
    concurrency: config.rollouts.workerConcurrency,
    sweepSeconds: 60,
    lockMs: 30_000,
  });
  await workers.start();
  const rollout = await createRollout(deps, SYSTEM_ACTOR, {
    name: 'bench',
    releaseId: fleet.releases.v110,
    filter: { modelIds: [fleet.modelId] },
    waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
    successThresholdPct: 0, // measure dispatch alone: each wave lets the next start at once
    emergency: true,
    requiresApproval: false,
  });
  t = performance.now();
  await startRollout(deps, SYSTEM_ACTOR, rollout.id);
  for (;;) {
    const open = await database.db.updateAction.count({ where: { rolloutId: rollout.id, status: 'PLANNED' } });
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const dispatchMs = performance.now() - t;
  const perMin = (N / dispatchMs) * 60_000;
  rows.push(['device actions dispatched /min (4 waves)', fmt(perMin, 0), `${fmt((N / bareMs) * 60_000, 0)} bare BullMQ jobs/min`, fmt(dispatchMs / bareMs)]);

  // --- DDI polls ---------------------------------------------------------------------------------
  const actions = await database.db.updateAction.findMany({ where: { rolloutId: rollout.id }, select: { id: true, deviceId: true } });
  const actionOf = new Map(actions.map((a) => [a.deviceId, a.id]));
  const devices = fleet.devices.map((d) => ({ ...d, actionId: actionOf.get(d.id)! }));
  const gatewayEnv = { ...env, TOKEN_PEPPER: config.auth.tokenPepper, LOG_LEVEL: 'info', GATEWAY_PORT: '0', GATEWAY_HOST: '127.0.0.1', DDI_POLL_SECONDS: '300', DATABASE_POOL_SIZE: '10', DEVICE_IP_RATE_LIMIT: '100000000' }; // every simulated device polls from this one address
  const pollRequest = () => {
    let i = 0;
    return [
      {
        method: 'GET' as const,
        setupRequest: (req: autocannon.Request) => {
          const d = devices[i++ % N]!;
          return { ...req, path: `/default/controller/v1/${d.controllerId}`, headers: { authorization: `TargetToken ${d.token}`, accept: 'application/json' } };
        },
      },
    ];
  };
  const results: Record<string, autocannon.Result> = {};
  for (const cache of ['0', '5']) {
    const gw = await startProcess(['bench/rollout/ddi-gateway.ts'], { ...gatewayEnv, DDI_AUTH_CACHE_SECONDS: cache }, /"url":"(http:\/\/[^"]+)"/);
    const url = gw.match[1]!;
    const sample = await (await fetch(`${url}/default/controller/v1/${devices[0]!.controllerId}`, { headers: { authorization: `TargetToken ${devices[0]!.token}` } })).text();
    await load({ url, duration: 2, requests: pollRequest() }); // warm-up
    results[`poll-${cache}`] = await load({ url, duration: SECONDS, requests: pollRequest() });
    if (cache === '0') {
      const bareHttp = await startProcess(['bench/rollout/bare-http.ts', sample], {}, /listening (\d+)/);
      const bareUrl = `http://127.0.0.1:${bareHttp.match[1]}`;
      await load({ url: bareUrl, duration: 2, requests: pollRequest() });
      results['poll-bare'] = await load({ url: bareUrl, duration: SECONDS, requests: pollRequest() });
      // --- feedback (progress) -------------------------------------------------------------------
      const feedbackRequest = (execution: string, finished: string, once = false) => {
        let i = 0;
        return [
          {
            method: 'POST' as const,
            setupRequest: (req: autocannon.Request) => {
              const d = devices[i++ % N]!;
              if (once && i > N) return null as unknown as autocannon.Request;
              return {
                ...req,
                path: `/default/controller/v1/${d.controllerId}/deploymentBase/${d.actionId}/feedback`,
                headers: { authorization: `TargetToken ${d.token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ id: d.actionId, time: '20261125T101010', status: { execution, result: { finished, progress: { cnt: 1, of: 2 } }, details: ['Installing Update Chunk Artifacts.'] } }),
              };
            },
          },
        ];
      };
      results['fb-bare'] = await load({ url: bareUrl, duration: SECONDS, requests: feedbackRequest('proceeding', 'none') });
      await stop(bareHttp.child);
      results['fb-progress'] = await load({ url, duration: SECONDS, requests: feedbackRequest('proceeding', 'none') });
      // Every device closes its action once: updates the device, wakes the orchestrator.
      t = performance.now();
      results['fb-closed'] = await load({ url, amount: N, requests: feedbackRequest('closed', 'success', true) });
      const closeMs = performance.now() - t;
      for (;;) {
        const r = await database.db.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
        if (r.status === 'SUCCEEDED') break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const completeMs = performance.now() - t;
      results['fb-closed'].duration = closeMs / 1000;
      console.log(`all ${N} devices reported success in ${fmt(closeMs / 1000, 1)} s; rollout SUCCEEDED ${fmt(completeMs / 1000, 1)} s after the first report`);
    }
    await stop(gw.child);
  }
  const p0 = rate(results['poll-0']!);
  const p5 = rate(results['poll-5']!);
  const pb = rate(results['poll-bare']!);
  rows.push(['DDI polls/s, 10k devices, token checked every poll', fmt(p0, 0), `${fmt(pb, 0)} bare Express`, fmt(pb / p0)]);
  rows.push(['DDI polls/s, 10k devices, 5 s token cache', fmt(p5, 0), `${fmt(pb, 0)} bare Express`, fmt(pb / p5)]);
  rows.push(['DDI feedback posts/s (progress)', fmt(rate(results['fb-progress']!), 0), `${fmt(rate(results['fb-bare']!), 0)} bare Express`, fmt(rate(results['fb-bare']!) / rate(results['fb-progress']!))]);
  rows.push(['DDI feedback posts/s (closing: 10k devices, once each)', fmt(N / results['fb-closed']!.duration, 0), '', '']);
  const non2xx = Object.entries(results).filter(([k]) => !k.includes('bare')).reduce((s, [, r]) => s + r.non2xx + r.errors, 0);
  console.log(table(rows));
  console.log(`latency p99: polls ${results['poll-0']!.latency.p99} ms (bare ${results['poll-bare']!.latency.p99} ms), feedback ${results['fb-progress']!.latency.p99} ms; non-2xx or errors on Warden's side: ${non2xx}`);
  console.log(verdict(perMin >= 10_000, `>= 10,000 device actions/min (${fmt(perMin, 0)})`));
  console.log(verdict(p0 >= 5_000, `>= 5,000 polls/s with every token checked (${fmt(p0, 0)})`));
  console.log(verdict(dispatchMs <= 2 * bareMs, `orchestrator <= 2x bare BullMQ for ${N} device actions (${fmt(dispatchMs / bareMs)}x)`));

  await workers.stop();
  await jobs.close();
  redis.disconnect();
  await database.drop();
}

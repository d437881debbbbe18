/**
 * Simulator benchmark (issue 6): 20,000 virtual devices in one process, each polling DDI every
 * 2 min and reporting telemetry every 30 s (batched per site gateway), against the real gateway in
 * its own process. Printed beside a bare baseline measured in the same run against the same
 * gateway: raw undici requests (the same polls, the same telemetry batches) fired at the same
 * rates from a plain 10 ms timer.
 * Targets: the simulator keeps its schedule (task lag p99 <= 1 s, a few % of the shortest interval;
 * no device skips a turn), runs at >= 95 % of the nominal rates and delivers what it makes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { SYSTEM_ACTOR, provisionDemoRoster, seedDemoOffice } from '@warden/core';
import { createLogger, startDevKafka, wardenTopics } from '@warden/runtime';
import { createTestDatabase, testConfig } from '@warden/testing';
import { simulatorOptions } from '../../services/simulator/src/main.js';
import { Samples } from '../../services/simulator/src/samples.js';
import { createSimulator, type SimulatorStatus } from '../../services/simulator/src/simulator.js';
import { fmt, table, verdict } from '../lib.js';

const DEVICES = Number(process.env.BENCH_SIM_DEVICES ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 90);
const POLL_S = 120;
const TELEMETRY_S = 30;
const root = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  throw new Error(`${url} did not become ready`);
}

/** CPU time of this process over a phase, as a share of one core. */
function cpuMeter() {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const u = process.cpuUsage(start);
    return (u.user + u.system) / 1000 / (performance.now() - t0);
  };
}

interface Phase {
  polls: number;
  reports: number;
  lag: { p50: number; p99: number; max: number };
  loopP99: number;
  latency: { p50: number; p99: number };
  errors: number;
  cpu: number;
}

/** The bare baseline: the same requests at the same rates from a plain timer, with raw undici. */
async function bare(gatewayUrl: string, roster: Awaited<ReturnType<typeof provisionDemoRoster>>['roster'], batch: string, batchSize: number): Promise<Phase> {
  const pool = new Pool(gatewayUrl, { connections: 32, pipelining: 1, keepAliveTimeout: 30_000 });
  const lags = new Samples();
  const latency = new Samples();
  const cpu = cpuMeter();
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let polls = 0;
  let reports = 0;
  let errors = 0;
  const pollers = roster.devices.filter((d) => d.otaCapable);
  const pollRate = pollers.length / POLL_S;
  const reportRate = DEVICES / TELEMETRY_S;
  const t0 = performance.now();
  let pollsDue = 0;
  let batchesDue = 0;
  const request = (opts: Parameters<Pool['request']>[0], onOk: () => void) => {
    const started = performance.now();
    pool.request(opts).then(
      async (res) => {
        await res.body.arrayBuffer();
        latency.add(performance.now() - started);
        if (res.statusCode < 300) onOk();
        else errors++;
      },
      () => void errors++,
    );
  };
  await new Promise<void>((resolve) => {
    let expected = t0;
    const tick = () => {
      const now = performance.now();
      lags.add(Math.max(0, now - expected));
      const elapsed = (now - t0) / 1000;
      while (pollsDue < Math.floor(elapsed * pollRate)) {
        const d = pollers[pollsDue % pollers.length]!;
        pollsDue++;
        request({ method: 'GET', path: `/${roster.tenant}/controller/v1/${d.controllerId}`, headers: { authorization: `TargetToken ${d.token}`, accept: 'application/json' } }, () => polls++);
      }
      while (batchesDue < Math.floor((elapsed * reportRate) / batchSize)) {
        batchesDue++;
        request(
          { method: 'POST', path: '/device/v1/telemetry', headers: { authorization: `GatewayToken ${roster.gatewayToken}`, 'content-type': 'application/json' }, body: batch },
          () => (reports += batchSize),
        );
      }
      if (elapsed >= SECONDS) return resolve();
      expected += 10;
      setTimeout(tick, Math.max(0, expected - performance.now()));
    };
    tick();
  });
  await sleep(2000); // answers in flight
  const out: Phase = {
    polls,
    reports,
    lag: lags.summary(),
    loopP99: loop.percentile(99) / 1e6,
    latency: latency.summary(),
    errors,
    cpu: cpu(),
  };
  loop.disable();
  await pool.close();
  return out;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-bench-sim-'));
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    SIM_ROSTER_FILE: path.join(dir, 'roster.json'),
    DDI_POLL_SECONDS: String(POLL_S),
    SIM_TELEMETRY_SECONDS: String(TELEMETRY_S),
    SIM_DEVICES: String(DEVICES),
  };
  const config = testConfig(env);
  const core = { db: database.db, sql: database.sql, config };
  let t = performance.now();
  await seedDemoOffice(core, SYSTEM_ACTOR, { seed: 42, scale: DEVICES / 2000, adminPassword: 'bench password 0123' });
  const { roster } = await provisionDemoRoster(core, SYSTEM_ACTOR, { file: config.simulator.rosterFile, siteCode: 'hq', tenant: config.ddi.tenant });
  // Steady state: every device has told the server its attributes already (the first-boot burst is not the subject here).
  await database.sql.query('INSERT INTO ddi_controller_state (device_id, config_requested) SELECT id, false FROM devices ON CONFLICT (device_id) DO UPDATE SET config_requested = false');
  console.log(`set-up: ${roster.devices.length} devices with tokens in ${fmt((performance.now() - t) / 1000, 1)} s`);

  const kafka = await startDevKafka({ topics: Object.fromEntries(Object.entries(wardenTopics(config)).map(([k, n]) => [k, Math.min(n, 6)])) });
  const gatewayEnv = {
    ...process.env,
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    TOKEN_PEPPER: config.auth.tokenPepper,
    KAFKA_BROKERS: kafka.brokers.join(','),
    GATEWAY_PORT: '4199',
    MQTT_ENABLED: 'false',
    REDIS_PREFIX: `wbench-sim-${process.pid}`,
    DEVICE_IP_RATE_LIMIT: '10000000',
    TELEMETRY_RATE_LIMIT_GATEWAY: '10000000',
  };
  const gateway: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `${root}services/gateway/src/main.ts`], { env: gatewayEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const gatewayUrl = 'http://127.0.0.1:4199';
  try {
    await waitHttp(`${gatewayUrl}/health`);
    // A realistic batch for the baseline, shaped like the simulator's reports.
    const batchSize = 200;
    const messages = roster.devices.slice(0, batchSize).map((d, i) => ({
      deviceId: d.id,
      seq: i,
      ts: new Date().toISOString(),
      metrics: { cpu: 12.5, memory: 40.1, rssi: -60, power: 7.2, uptime: 3600, bytes_in: 1200, bytes_out: 5400 },
      flows: [{ peer: '10.20.1.12', port: 8883, protocol: 'tcp', outbound: true, bytes: 600, packets: 1 }],
      events: [],
      firmware: { version: d.firmwareVersion },
      ip: d.ip,
      interval: TELEMETRY_S,
    }));
    const batch = JSON.stringify({ messages });

    console.log(`bare undici: ${fmt(DEVICES / POLL_S, 0)} polls/s + ${fmt(DEVICES / TELEMETRY_S, 0)} reports/s for ${SECONDS} s …`);
    const b = await bare(gatewayUrl, roster, batch, batchSize);

    console.log(`simulator: ${DEVICES} devices, poll every ${POLL_S} s, report every ${TELEMETRY_S} s, for ${SECONDS} s …`);
    t = performance.now();
    const sim = createSimulator({ ...simulatorOptions(config), roster, gatewayUrl, log: createLogger('bench', 'silent') });
    const simCpu = cpuMeter();
    await sim.start();
    const setup = performance.now() - t;
    let peak: SimulatorStatus['schedule'] | null = null;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      await sleep(5000);
      const s = sim.status().schedule;
      if (!peak || s.p99 > peak.p99) peak = s;
    }
    // The phase ends: what the devices made by now is the figure; then what was in flight drains.
    const elapsed = (performance.now() - started) / 1000;
    const status = sim.status();
    const cpu = simCpu();
    await sim.stop();
    const drained = sim.status();
    const s: Phase = {
      polls: status.updates.polls,
      reports: status.telemetry.reports,
      lag: { p50: status.schedule.p50, p99: status.schedule.p99, max: status.schedule.max },
      loopP99: peak?.loopDelayP99 ?? status.schedule.loopDelayP99,
      latency: { p50: status.http.latencyP50, p99: status.http.latencyP99 },
      errors: drained.http.errors + drained.updates.pollErrors + drained.telemetry.refused + drained.telemetry.dropped,
      cpu,
    };
    const heap = process.memoryUsage();
    // Devices that cannot be updated over the air (cameras, readers, leak sensors) do not speak DDI.
    const ota = roster.devices.filter((d) => d.otaCapable).length;
    const expectedPolls = (ota / POLL_S) * elapsed;
    const expectedReports = (DEVICES / TELEMETRY_S) * elapsed;
    const rows: (string | number)[][] = [
      ['measure', 'simulator', 'bare undici', 'scheduled'],
      ['DDI polls/s', fmt(s.polls / elapsed, 0), fmt(b.polls / SECONDS, 0), fmt(ota / POLL_S, 0)],
      ['telemetry messages/s (made; baseline: delivered)', fmt(s.reports / elapsed, 0), fmt(b.reports / SECONDS, 0), fmt(DEVICES / TELEMETRY_S, 0)],
      ['schedule lag p50 / p99 / max (ms)', `${s.lag.p50} / ${s.lag.p99} / ${s.lag.max}`, `${fmt(b.lag.p50, 1)} / ${fmt(b.lag.p99, 1)} / ${fmt(b.lag.max, 1)}`, '–'],
      ['event-loop delay p99 (ms)', fmt(s.loopP99, 1), fmt(b.loopP99, 1), '–'],
      ['request latency p50 / p99 (ms)', `${s.latency.p50} / ${s.latency.p99}`, `${fmt(b.latency.p50, 1)} / ${fmt(b.latency.p99, 1)}`, '–'],
      ['errors (HTTP, poll answers not 200, refused, dropped)', `${drained.http.errors}, ${drained.updates.pollErrors}, ${drained.telemetry.refused}, ${drained.telemetry.dropped}`, b.errors, '–'],
      ['CPU (share of one core)', fmt(s.cpu, 2), fmt(b.cpu, 2), '–'],
      ['skipped turns (device late by a whole interval)', status.schedule.overruns, '–', '0'],
    ];
    console.log(`\nsimulator start-up (${DEVICES} devices scheduled): ${fmt(setup, 0)} ms; heap ${fmt(heap.heapUsed / 2 ** 20, 0)} MB`);
    console.log(table(rows));
    if (drained.telemetry.lastRefusal) console.log(`last refusal: ${drained.telemetry.lastRefusal}`);
    console.log();
    console.log(verdict(s.lag.p99 <= 1000 && status.schedule.overruns === 0, `keeps its schedule: lag p99 ${s.lag.p99} ms <= 1000 ms, ${status.schedule.overruns} skipped turns`));
    // Devices start spread over their first interval, so the scheduled rate holds from the start
    // (within the noise of random phases); a few reports are still in a batch when the phase ends.
    console.log(verdict(s.polls >= 0.95 * expectedPolls && s.reports >= 0.95 * expectedReports, `rates: polls ${fmt((s.polls / expectedPolls) * 100, 1)} %, telemetry ${fmt((s.reports / expectedReports) * 100, 1)} % of the nominal rate (>= 95 %)`));
    console.log(verdict(drained.telemetry.delivered === drained.telemetry.reports && s.errors === 0, `delivered ${drained.telemetry.delivered} of ${drained.telemetry.reports} reports made, ${s.errors} errors`));
  } finally {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.once('exit', r));
    await kafka.stop();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

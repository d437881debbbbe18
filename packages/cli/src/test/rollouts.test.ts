import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayService } from '@warden/gateway';
import { createJobQueue, createLogger, createRedis, type BullJobQueue, type DevKafka, type Redis } from '@warden/runtime';
import { createRolloutFleet, DdiDevice, startTestKafka, type RolloutFleet } from '@warden/testing';
import { createRolloutWorkers } from '@warden/worker';
import { startWarden } from './harness.js';

/**
 * `warden rollouts …` end to end: the CLI plans, approves and starts a rollout through the API,
 * the worker runs its waves, devices take the update over DDI from the gateway, and
 * `--watch` follows the subscription until the rollout succeeds.
 */
let kafka: DevKafka;
let warden: Awaited<ReturnType<typeof startWarden>>;
let gateway: Awaited<ReturnType<typeof createGatewayService>>;
let workers: ReturnType<typeof createRolloutWorkers>;
let workerRedis: Redis;
let jobs: BullJobQueue;
let fleet: RolloutFleet;
const prefix = `cli-${randomBytes(3).toString('hex')}`;
let model: string;
let devices: DdiDevice[];
let polling = false;
let poller: Promise<void> | undefined;

beforeAll(async () => {
  kafka = await startTestKafka({ telemetryPartitions: 1 });
  warden = await startWarden({
    KAFKA_BROKERS: kafka.brokers.join(','),
    MQTT_TELEMETRY_TOPIC: `wcli-${randomBytes(4).toString('hex')}/devices/+/telemetry`,
    ROLLOUT_EVALUATE_DEBOUNCE_MS: '25',
    ROLLOUT_SWEEP_SECONDS: '5',
    WORKER_LOCK_MS: '2000',
    GATEWAY_PORT: '0',
  });
  fleet = await createRolloutFleet(warden.deps, 4, { prefix, storageDir: warden.storageDir });
  const m = await warden.db.deviceModel.findUniqueOrThrow({ where: { id: fleet.modelId } });
  model = `${m.vendor}/${m.name}`;
  gateway = await createGatewayService(warden.config);
  const port = await gateway.start(0, '127.0.0.1');
  devices = fleet.devices.map((d) => new DdiDevice(`http://127.0.0.1:${port}`, d.controllerId, d.token));
  workerRedis = createRedis(warden.config.redisUrl);
  jobs = createJobQueue(workerRedis, warden.config.redisPrefix);
  workers = createRolloutWorkers({
    deps: { ...warden.deps, jobs, evaluateDebounceMs: 25 },
    jobs,
    connection: workerRedis,
    prefix: warden.config.redisPrefix,
    log: createLogger('worker-test', 'silent'),
    concurrency: 4,
    sweepSeconds: 5,
    lockMs: 2000,
  });
  await workers.start();
}, 90_000);

afterAll(async () => {
  polling = false;
  await poller;
  await workers?.stop();
  await jobs?.close();
  workerRedis?.disconnect();
  await gateway?.stop();
  await warden?.stop();
  await kafka?.stop();
});

/** Every device polls DDI and installs what it is given, as SWUpdate would, until stopped. */
function devicesPoll() {
  polling = true;
  poller = (async () => {
    while (polling) {
      await Promise.all(devices.map((d) => d.cycle('success')));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

describe('warden rollouts', () => {
  let id: string;

  it('plans a rollout by names, and says what it excludes', async () => {
    const legacy = await warden.db.device.findUniqueOrThrow({ where: { serial: `${prefix}-legacy` } }); // the fixture's bulb
    const ids = [...fleet.devices.map((d) => d.id), legacy.id].join(',');
    const r = await warden.cli(['rollouts', 'create', '--name', 'hub 1.1.0', '--release', `${model}@1.1.0`, '--device', ids, '--tag', 'office', '--waves', '1,50%,100%', '--emergency']);
    expect(r.code).toBe(0);
    const [head, waves, excluded] = r.stdout.trimEnd().split('\n');
    id = /^Rollout (\S+) "hub 1\.1\.0"/.exec(head!)![1]!;
    expect(head).toContain(`${model} 1.1.0, WAITING_APPROVAL`);
    expect(waves).toBe('  4 devices in 3 waves (1, 1, 2), emergency');
    expect(excluded).toBe('  1 excluded: NOT_OTA_CAPABLE 1');
    expect(r.stderr).toContain(`warden rollouts approve ${id}`);
  });

  it('refuses to start it before an admin approves, with the API error codes', async () => {
    const early = await warden.cli(['rollouts', 'start', id]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^warden: CONFLICT: /);
    const byOperator = await warden.cli(['rollouts', 'approve', id]);
    expect(byOperator.code).toBe(1);
    expect(byOperator.stderr).toMatch(/^warden: FORBIDDEN: /);
    const approved = await warden.cli(['rollouts', 'approve', id], { key: warden.keys.ADMIN });
    expect(approved.code).toBe(0);
    expect(approved.stderr).toContain('is READY');
  });

  it('starts it and watches it live until every wave succeeded', async () => {
    devicesPoll();
    const r = await warden.cli(['rollouts', 'start', id, '--watch']);
    expect(r.stderr).toContain('is RUNNING');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('hub 1.1.0  SUCCEEDED  wave 3/3  4/4 succeeded (100%)');
    expect(lines.length).toBeGreaterThan(1); // it saw the rollout move, not just its end
    expect(lines.every((l) => l.startsWith('hub 1.1.0  '))).toBe(true);
    expect(r.code).toBe(0);
    const onNew = await warden.db.device.count({ where: { modelId: fleet.modelId, firmwareVersion: '1.1.0' } });
    expect(onNew).toBe(4);

    const list = await warden.cli(['rollouts', 'list', '--status', 'succeeded', '--json'], { key: warden.keys.VIEWER });
    expect(JSON.parse(list.stdout).map((x: { id: string; progress: { succeeded: number } }) => [x.id, x.progress.succeeded])).toEqual([[id, 4]]);
  });

  it('pauses a rollout, and a watcher (here polling) exits non-zero saying it paused', async () => {
    polling = false;
    await poller;
    const created = await warden.cli(['rollouts', 'create', '--name', 'back to 1.0.0', '--release', `${model}@1.0.0`, '--model', model, '--waves', '50%,100%', '--no-approval', '--json']);
    const back = JSON.parse(created.stdout) as { id: string; status: string };
    expect(back.status).toBe('READY');
    expect((await warden.cli(['rollouts', 'start', back.id])).code).toBe(0);
    const paused = await warden.cli(['rollouts', 'pause', back.id]);
    expect(paused.stderr).toContain('is PAUSED');
    const watch = await warden.cli(['rollouts', 'watch', back.id, '--poll', '1', '--json']);
    expect(watch.code).toBe(1);
    const updates = watch.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { status: string; rolloutId: string });
    expect(updates.at(-1)).toMatchObject({ rolloutId: back.id, status: 'PAUSED' });
  });

  it('names a rollout that does not exist', async () => {
    const r = await warden.cli(['rollouts', 'watch', '00000000-0000-4000-8000-000000000000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warden: NOT_FOUND: /);
  });
});

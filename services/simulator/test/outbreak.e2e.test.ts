import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorOptions } from '../src/main.js';
import type { Simulator } from '../src/simulator.js';
import { eventually, startOfficeStack, type OfficeStack } from './office-stack.js';

/**
 * Acceptance (issue 6): the outbreak against the real stack with ~500 devices. The worm enters a
 * vulnerable bulb and scans its segment; detection opens an incident; the built-in worm-outbreak
 * playbook quarantines the scanning devices (the office learns it over MQTT and drops their scans)
 * and pushes the fixed firmware to the exposed ones. The worm must reach fewer devices than the
 * same seeded outbreak does without containment, and every patched device must report the fix.
 */
let stack: OfficeStack;
let sim: Simulator;
let entry: { id: string; serial: string; segment: string };
const ROUND_SECONDS = 2;
/** How long the scenario runs: the seeded outbreak reaches ~10 devices in 25 rounds when nobody stops it. */
const SCENARIO_ROUNDS = 25;

beforeAll(async () => {
  stack = await startOfficeStack({ scale: 0.25, playbooks: true, env: { SIM_TELEMETRY_SECONDS: '3', DDI_POLL_SECONDS: '3' } });
  const options = simulatorOptions(stack.config);
  sim = stack.simulator({
    containment: true,
    updates: { failureRate: 0.02, silenceRate: 0, installSeconds: 0.5 },
    outbreak: { ...options.outbreak, roundSeconds: ROUND_SECONDS, params: { ...options.outbreak.params, spreadRate: 6, infectChance: 0.8, crossSegmentShare: 0.05 } },
  });
  await sim.start();
  const total = stack.roster.devices.length;
  await eventually(async () => (await stack.sql<{ n: string }>('SELECT count(*) AS n FROM device_state'))[0]!.n === String(total), 90_000, 'every device to report');
  const serial = sim.launchOutbreak();
  entry = stack.roster.devices.find((d) => d.serial === serial)!;
}, 180_000);

afterAll(async () => stack?.close());

const one = async <T>(text: string, params: unknown[] = []) => (await stack.sql<T>(text, params))[0];

describe('the outbreak against the real stack', () => {
  it('is detected: a worm fan-out incident naming the device it entered through', async () => {
    expect(stack.roster.devices.length).toBeGreaterThanOrEqual(450);
    const incident = await eventually(
      () => one<{ id: string; severity: string; device_ids: string[] }>("SELECT id, severity, device_ids FROM incidents WHERE rule = 'WORM_FAN_OUT' AND $1 = ANY(device_ids)", [entry.id]),
      60_000,
      'a WORM_FAN_OUT incident with the entry point',
    );
    expect(['HIGH', 'CRITICAL']).toContain(incident.severity);
  }, 90_000);

  it('is contained by the built-in playbook: scanners quarantined, the office drops their scans, the exposed patched', async () => {
    const run = await eventually(
      () => one<{ id: string; status: string }>("SELECT r.id, r.status FROM playbook_runs r WHERE r.playbook_name = 'worm-outbreak' AND r.trigger = 'AUTO' ORDER BY r.created_at LIMIT 1"),
      60_000,
      'the worm-outbreak playbook to start by itself',
    );
    expect(run.id).toBeTruthy();
    // The entry point is quarantined in Warden, and the office's network enforces it.
    await eventually(() => sim.devices.find((d) => d.id === entry.id)!.rt.quarantined, 60_000, 'the entry point to be quarantined in the office');
    // Recorded in Warden and delivered to network enforcement (warden.containment.v1) as well.
    await eventually(
      async () => (await one<{ n: string }>("SELECT count(*) AS n FROM containments WHERE kind = 'QUARANTINE_DEVICES' AND status = 'APPLIED' AND device_id = $1", [entry.id]))!.n === '1',
      30_000,
      'the quarantine to be applied',
    );
    // Contained: every infected device is quarantined, cured by the patch, or dead, and it stays so.
    await eventually(() => sim.status().outbreak.free === 0, 90_000, 'no infected device left free to scan');
    const settled = sim.status().outbreak.reached;
    await new Promise((r) => setTimeout(r, 4 * ROUND_SECONDS * 1000));
    expect(sim.status().outbreak.reached).toBe(settled);
    expect(sim.status().outbreak.blocked).toBeGreaterThan(0);
    const [finished] = await stack.sql<{ status: string }>('SELECT status FROM playbook_runs WHERE id = $1', [run.id]);
    expect(['SUCCEEDED', 'RUNNING', 'WAITING']).toContain(finished!.status);
  }, 180_000);

  it('reaches fewer devices than the same seeded outbreak without containment, over the same rounds', async () => {
    // Let the scenario run its course: the uncontained outbreak (same seed, same office, no
    // quarantine, no patch) is replayed for as many rounds as the live one has run.
    await eventually(() => sim.status().outbreak.round >= SCENARIO_ROUNDS, (SCENARIO_ROUNDS + 10) * ROUND_SECONDS * 1000, `${SCENARIO_ROUNDS} rounds`);
    const status = sim.status().outbreak;
    expect(status.free).toBe(0);
    expect(status.uncontainedReach).toBeGreaterThan(status.vulnerableAtStart > 0 ? 3 : 0);
    expect(status.reached).toBeLessThan(status.uncontainedReach);
  }, 120_000);

  it('has every patched device report the fixed version', async () => {
    const patched = await eventually(
      async () => {
        const rows = await stack.sql<{ device_id: string }>(
          `SELECT a.device_id FROM update_actions a JOIN rollouts r ON r.id = a.rollout_id WHERE r.emergency AND a.status = 'FINISHED'`,
        );
        return rows.length > 0 ? rows.map((r) => r.device_id) : null;
      },
      60_000,
      'the emergency patch to finish on some devices',
    );
    await eventually(
      async () => {
        const rows = await stack.sql<{ v: string | null }>('SELECT firmware_version AS v FROM device_state WHERE device_id = ANY($1::uuid[])', [patched]);
        return rows.length === patched.length && rows.every((r) => r.v === '2.5.2');
      },
      20_000,
      'every patched device to report 2.5.2',
    );
    const registry = await stack.sql<{ v: string }>('SELECT firmware_version AS v FROM devices WHERE id = ANY($1::uuid[])', [patched]);
    expect(registry.every((r) => r.v === '2.5.2')).toBe(true);
  }, 120_000);
});

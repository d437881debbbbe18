import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TelemetryRecord } from '@warden/contracts';
import { incidentLiveChannel, SYSTEM_ACTOR } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { setPlaybookEnabled } from '@warden/core/playbooks';
import { createRedis } from '@warden/runtime';
import { seriousA11yViolations } from './axe.js';
import { startDetection, type Detection } from './detection.js';
import { startWorker } from './worker.js';
import { USERS, newPage, screenshotsDir, signIn, startStack, tokenFor, type Stack } from './harness.js';

// Incident response in the console, in Debian's Chromium, against the real api and the real
// detection path (dev Kafka broker → stream processor → Postgres and Redis → api subscriptions) and
// the real worker (playbook runs, containment delivery), over the 2,000-device demo office.
// Pages settle within a second on an idle machine; two cores shared with other suites can take several.
vi.setConfig({ expect: { poll: { timeout: 10_000 } } });

let stack: Stack;
let detection: Detection;
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  stack = await startStack({ scale: 1 });
  // The demo's worm-outbreak playbook would contain the test's worm by itself; these tests do it by hand.
  for (const p of await stack.deps.db.playbook.findMany({ where: { autoTrigger: true } })) await setPlaybookEnabled(stack.deps, SYSTEM_ACTOR, p.id, false);
  [detection, worker] = await Promise.all([startDetection(stack), startWorker(stack)]);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await detection?.stop();
  await stack?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
/** The README's copies are committed; refresh them on purpose with UPDATE_README_SCREENSHOT=1. */
const readmeShot = async (page: Page, name: string) => {
  if (process.env.UPDATE_README_SCREENSHOT || !existsSync(path.join(screenshotsDir, `${name}.png`))) await shot(page, name);
};
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

let seq = 1;
/** A device probing `peers` on telnet within a few seconds: what the worm fan-out rule looks for. */
function scanRecords(device: { id: string; ip: string | null }, peers: string[]): TelemetryRecord[] {
  const now = Date.now();
  return [0, 1].map((i) => ({
    deviceId: device.id,
    seq: seq++,
    ts: new Date(now - (2 - i) * 1000).toISOString(),
    metrics: { cpu: 95 },
    flows: peers.map((peer) => ({ peer, port: 23, protocol: 'tcp' as const, outbound: true, bytes: 180, packets: 3 })),
    events: [],
    ip: device.ip!,
    interval: 60,
    receivedAt: new Date(now).toISOString(),
    via: 'http' as const,
  }));
}

/** A device on `segment` scanning a dozen of its neighbours; returns it and the peers it reached. */
async function wormOn(segment: string, skip = 0) {
  const devices = await stack.deps.db.device.findMany({
    where: { segment: { name: segment }, status: 'ACTIVE', ip: { not: null } },
    orderBy: { serial: 'asc' },
    skip,
    take: 13,
  });
  const [patientZero, ...peers] = devices;
  await detection.send(scanRecords(patientZero!, peers.map((p) => p.ip!)));
  return { patientZero: patientZero!, peers };
}

/** Waits until the api instance has a live subscriber on the incidents channel (the page's socket). */
async function waitForSubscriber() {
  const redis = createRedis(stack.config.redisUrl);
  try {
    await expect
      .poll(async () => Number(((await redis.pubsub('NUMSUB', incidentLiveChannel(stack.config.redisPrefix))) as [string, number])[1]), { timeout: 10_000 })
      .toBeGreaterThan(0);
  } finally {
    redis.disconnect();
  }
}

describe('incidents', () => {
  it('shows a new incident in the live list without a reload, and opens it with its alerts and timeline', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.responder);
    await nav(page, 'Incidents');
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('Live');
    await expect.poll(() => page.getByRole('table', { name: 'Incidents' }).textContent()).toContain('No incidents match');
    await waitForSubscriber();

    const { patientZero } = await wormOn('iot-f2');
    const table = page.getByRole('table', { name: 'Incidents' });
    const row = table.getByRole('row').filter({ hasText: /worm|fan-out|scan/i });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    // Arrived over the socket: the page was never reloaded and polls only once a minute.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    expect(await row.textContent()).toContain('iot-f2');
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^New incident:/ }).count()).toBe(1);
    await shot(page, 'incidents');

    await row.getByRole('link').click();
    await expect.poll(() => page.getByRole('table', { name: 'Alerts' }).textContent()).toContain(patientZero.name);
    await expect.poll(() => page.getByRole('list', { name: 'Timeline entries' }).textContent()).toMatch(/Alert/);
    expect(await page.getByRole('table', { name: 'Devices involved' }).textContent()).toContain(patientZero.name);
    await shot(page, 'incident');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a responder take an incident, move it through triage with a note, and needs a reason to go back', async () => {
    const incident = await stack.deps.db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.responder);
    await page.goto(`/#/incidents/${incident.id}`);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => page.getByTestId('assignee').textContent()).toBe('Rita Responder');

    await page.getByRole('button', { name: 'Mark triaged' }).click();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('Triaged');
    await page.getByLabel('Add a note').fill('Telnet scan from a floor-2 light; checking its peers.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const timeline = page.getByRole('list', { name: 'Timeline entries' });
    await expect.poll(() => timeline.textContent()).toContain('checking its peers');
    expect(await timeline.textContent()).toContain('Rita Responder');

    // Going back a phase needs a reason.
    await page.getByRole('button', { name: 'Mark contained' }).click();
    await page.getByRole('button', { name: 'Back to triaged' }).click();
    const back = page.getByRole('dialog');
    const confirm = back.getByRole('button', { name: 'Back to triaged' });
    expect(await confirm.isDisabled()).toBe(true);
    await back.getByLabel('Reason').fill('The light is still scanning: containment did not hold.');
    await confirm.click();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('Triaged');
    await expect.poll(() => timeline.textContent()).toContain('containment did not hold');

    // Closing a triaged incident is only for false alarms, and asks which kind.
    await page.getByRole('button', { name: 'Close incident' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByLabel('Resolution').locator('option').allTextContents()).toEqual(['False positive', 'Duplicate', 'Benign']);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const stored = await stack.deps.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(stored.status).toBe('TRIAGED');
    expect(stored.assigneeId).not.toBeNull();

    // The list filtered to "assigned to me" shows it.
    await nav(page, 'Incidents');
    await page.getByLabel('Assignee').selectOption('me');
    await expect.poll(() => page.getByRole('table', { name: 'Incidents' }).getByRole('row').count()).toBe(2);
    expect(page.url()).toContain('assignee=me');
    await page.getByLabel('Status').selectOption('CLOSED');
    await expect.poll(() => page.getByRole('table', { name: 'Incidents' }).textContent()).toContain('No incidents match');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the blast radius: tiers, segments, ranked devices with reasons, and who contacted whom', async () => {
    const incident = await stack.deps.db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const patientZero = await stack.deps.db.device.findUniqueOrThrow({ where: { id: incident.deviceIds[0]! }, include: { model: true } });
    // An open advisory for its firmware: the devices running the same weakness are next.
    await upsertAdvisory(stack.deps, SYSTEM_ACTOR, {
      externalId: 'CVE-2026-4242',
      summary: 'Telnet backdoor in the hub firmware',
      severity: 'CRITICAL',
      affected: [{ modelId: patientZero.modelId, introduced: null, fixed: '99.0.0', lastAffected: null }],
    });
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.viewer);
    await page.goto(`/#/incidents/${incident.id}`);
    await page.getByRole('tab', { name: 'Blast radius' }).click();
    await expect.poll(() => page.getByTestId('tier-1').textContent()).toMatch(/^12Tier 1/);
    const ranked = page.getByRole('table', { name: 'Ranked devices' });
    await expect.poll(() => ranked.textContent()).toContain(`contacted by ${patientZero.name} (2 connections)`);
    expect(await page.getByTestId('blast-total').textContent()).toContain('CVE-2026-4242');
    const perSegment = page.getByRole('table', { name: 'Blast radius per segment' });
    const tier1 = await perSegment.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(tier1.reduce((n, t) => n + Number(t.replaceAll(',', '')), 0)).toBe(12);
    expect(await perSegment.getByRole('row').filter({ hasText: 'iot-f2' }).count()).toBe(1);
    // The graph: the scanning hub in the middle, the twelve it reached around it.
    await expect.poll(() => page.locator('[data-testid="contact-graph"] .cg-node').count()).toBe(13);
    expect(await page.getByRole('img', { name: /^Contact graph: 1 compromised device and 12 devices/ }).count()).toBe(1);
    await shot(page, 'incident-blast-radius');
    await readmeShot(page, 'readme-incident');
    // Tabs follow the keyboard.
    await page.getByRole('tab', { name: 'Blast radius' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Blast radius' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('table', { name: 'Ranked devices' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a responder quarantine selected devices, naming them first and leaving a fail-safe one alone unless overridden', async () => {
    const db = stack.deps.db;
    const incident = await db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const patientZero = await db.device.findUniqueOrThrow({ where: { id: incident.deviceIds[0]! } });
    // A badge reader it reached: cutting it off could lock people out.
    const contact = await db.deviceContact.findFirstOrThrow({ where: { deviceId: patientZero.id, peerDeviceId: { not: null } }, orderBy: { peerIp: 'asc' } });
    const reader = await db.device.update({ where: { id: contact.peerDeviceId! }, data: { failSafe: true } });

    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.responder);
    await page.goto(`/#/incidents/${incident.id}/respond`);
    const devices = page.getByRole('table', { name: 'Devices to contain' });
    await devices.getByLabel(`Select ${reader.name}`).check();
    await devices.getByLabel(`Select ${patientZero.name}`).check();
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('2 selected');
    expect(await devices.getByRole('row').filter({ hasText: reader.name }).textContent()).toContain('fail-safe');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Quarantine selected devices' }).click();
    const dialog = page.getByRole('dialog', { name: 'Quarantine 2 devices?' });
    expect(await dialog.textContent()).toContain(patientZero.name);
    expect(await dialog.getByRole('group', { name: 'Fail-safe devices' }).textContent()).toContain(reader.name);
    const confirm = dialog.getByRole('button', { name: 'Quarantine 1 device' });
    expect(await confirm.isDisabled()).toBe(true); // no reason yet
    await dialog.getByLabel('Reason').fill('Telnet scanning of its floor');
    await confirm.click();

    const status = (id: string) => page.getByTestId(`device-status-${id}`).first();
    await expect.poll(() => status(patientZero.id).textContent()).toBe('Quarantined');
    expect(await status(reader.id).textContent()).toBe('Active');
    await expect.poll(() => page.getByTestId('containment-outcome').textContent()).toContain(reader.serial);
    expect((await db.device.findUniqueOrThrow({ where: { id: patientZero.id } })).status).toBe('QUARANTINED');
    expect((await db.device.findUniqueOrThrow({ where: { id: reader.id } })).status).toBe('ACTIVE');
    await expect.poll(() => page.getByRole('table', { name: 'Containments' }).textContent()).toContain(patientZero.name);

    // With the override ticked, the badge reader goes too.
    await devices.getByLabel(`Select ${reader.name}`).check();
    await page.getByRole('button', { name: 'Quarantine selected devices' }).click();
    const again = page.getByRole('dialog', { name: 'Quarantine 1 device?' });
    expect(await again.getByRole('button', { name: 'Quarantine 0 devices' }).isDisabled()).toBe(true);
    await again.getByLabel('Quarantine the fail-safe devices too (override)').check();
    await again.getByLabel('Reason').fill('It is scanning too');
    await again.getByLabel('Release automatically').selectOption({ label: '4 hours' });
    await again.getByRole('button', { name: 'Quarantine 1 device' }).click();
    await expect.poll(() => status(reader.id).textContent()).toBe('Quarantined');
    const held = await db.containment.findFirstOrThrow({ where: { deviceId: reader.id, status: { in: ['PENDING', 'APPLIED'] } } });
    expect(held.overrideFailSafe).toBe(true);
    expect(held.expiresAt!.getTime() - Date.now()).toBeGreaterThan(3.9 * 3600_000);
    await shot(page, 'incident-contain');

    // Releasing names the device and asks why.
    await page.getByRole('button', { name: `Release ${reader.name}` }).click();
    const release = page.getByRole('dialog', { name: new RegExp(`Release the quarantine of ${reader.name}`) });
    await release.getByLabel('Reason').fill('False alarm: the reader was only answering');
    await release.getByRole('button', { name: `Release ${reader.name}` }).click();
    await expect.poll(() => status(reader.id).textContent()).toBe('Active');
    await expect.poll(() => page.getByRole('table', { name: 'Containments' }).textContent()).not.toContain(reader.name);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a responder isolate the segment, block a destination and rotate a device’s credentials, each named before it happens', async () => {
    const db = stack.deps.db;
    const incident = await db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const segment = await db.segment.findUniqueOrThrow({ where: { id: incident.segmentId! } });
    const patientZero = await db.device.findUniqueOrThrow({ where: { id: incident.deviceIds[0]! } });
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.responder);
    await page.goto(`/#/incidents/${incident.id}/respond`);

    await page.getByRole('button', { name: `Isolate ${segment.name}` }).click();
    const isolate = page.getByRole('dialog', { name: `Isolate segment ${segment.name}?` });
    expect(await isolate.textContent()).toMatch(/Stops all traffic between iot-f2 \([\d,]+ devices\)/);
    await isolate.getByLabel('Reason').fill('Worm scanning inside the floor');
    await isolate.getByRole('button', { name: `Isolate ${segment.name}` }).click();
    await isolate.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('containment-outcome').textContent()).toContain('Isolation of iot-f2: 1 in force');

    await page.getByLabel('Block a destination (IP or CIDR)').fill('198.51.100.0/24');
    await page.getByRole('button', { name: 'Block destination' }).click();
    const block = page.getByRole('dialog', { name: 'Block 198.51.100.0/24?' });
    await block.getByLabel('Reason').fill('Command and control');
    await block.getByRole('button', { name: 'Block destination' }).click();
    await block.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('containment-outcome').textContent()).toContain('Block of 198.51.100.0/24: 1 in force');

    await page.getByRole('table', { name: 'Devices to contain' }).getByLabel(`Select ${patientZero.name}`).check();
    await page.getByRole('button', { name: 'Rotate credentials' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate the credentials of 1 device?' });
    expect(await rotate.textContent()).toContain(patientZero.name);
    await rotate.getByLabel('Reason').fill('Its token may have leaked');
    await rotate.getByRole('button', { name: 'Rotate credentials' }).click();
    await expect.poll(() => page.getByTestId('rotated-tokens').textContent()).toMatch(new RegExp(`^${patientZero.name}\\t\\S{20,}`));
    const active = await db.deviceCredential.findMany({ where: { deviceId: patientZero.id, revokedAt: null } });
    // The old tokens are revoked; the one shown is the only one that works.
    expect(active).toHaveLength(1);

    const list = page.getByRole('table', { name: 'Containments' });
    // The list refreshes once the mutation's answer (the new token) is shown.
    await expect.poll(() => list.textContent()).toContain('Credential rotation');
    expect(await list.textContent()).toContain('Segment isolation');
    expect(await list.textContent()).toContain('198.51.100.0/24');
    expect(await db.containment.count({ where: { incidentId: incident.id, kind: { in: ['ISOLATE_SEGMENT', 'BLOCK_DESTINATION', 'ROTATE_CREDENTIALS'] }, status: { in: ['PENDING', 'APPLIED'] } } })).toBe(3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('previews a playbook step by step before running it, runs it, and takes a waiting step’s approval', async () => {
    const incident = await stack.deps.db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const admin = await tokenFor(stack, USERS.admin);
    const created = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: 'mutation($s: String!) { createPlaybook(source: $s) { id } }',
        variables: {
          s: [
            'name: scan-response',
            'title: Respond to a scanning device',
            'steps:',
            '  - id: ask-first',
            '    type: require_approval',
            '    message: Tell the SOC about the scanner?',
            '    timeout: 30m',
            '  - id: tell-soc',
            '    type: notify_webhook',
            '    event: playbook.scan-response',
          ].join('\n'),
        },
      }),
    });
    expect(((await created.json()) as { errors?: unknown }).errors).toBeUndefined();

    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.responder);
    await page.goto(`/#/incidents/${incident.id}/playbooks`);
    await page.getByLabel('Playbook', { exact: true }).selectOption({ label: 'Respond to a scanning device (2 steps)' });
    // Running is offered only after the preview.
    expect(await page.getByRole('button', { name: /^Run / }).count()).toBe(0);
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const plan = page.getByRole('list', { name: 'Planned steps' });
    await expect.poll(() => plan.textContent()).toContain('waits for responder approval');
    expect(await page.getByTestId('step-tell-soc').textContent()).toContain('event playbook.scan-response to no subscriber yet');
    expect(await page.getByTestId('dry-run').textContent()).toContain('0 devices, 0 segments and 0 destinations');
    expect(await stack.deps.db.playbookRun.count()).toBe(0);
    await shot(page, 'incident-playbook');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Run scan-response' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run scan-response' }).click();
    const run = page.getByRole('article', { name: 'Run of scan-response' });
    await expect.poll(() => run.textContent(), { timeout: 20_000 }).toContain('Awaiting approval');
    await run.getByRole('button', { name: 'Approve ask-first' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve ask-first' }).click();
    await expect.poll(() => page.getByTestId('step-tell-soc').textContent(), { timeout: 20_000 }).toContain('Succeeded');
    expect(await run.textContent()).toContain('no subscription listens to playbook.scan-response');
    expect(await run.textContent()).toContain('decided by');
    // The step's result is recorded first and the run finished by the next advance, a moment later.
    const stored = () => stack.deps.db.playbookRun.findFirstOrThrow({ where: { incidentId: incident.id, dryRun: false } }).then((r) => r.status);
    await expect.poll(stored, { timeout: 10_000 }).toBe('SUCCEEDED');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows readiness: exposure per advisory and segment, unpatchable devices and the worst-case worm reach', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.viewer);
    await nav(page, 'Readiness');
    const unpatchable = await stack.deps.db.device.count({ where: { status: { not: 'RETIRED' }, model: { otaCapable: false } } });
    await expect.poll(() => page.getByTestId('unpatchable-total').textContent()).toBe(`${unpatchable.toLocaleString('en')}devices cannot be updated over the air`);
    const advisories = page.getByRole('table', { name: 'Exposure per advisory' });
    const exposed = await stack.deps.db.device.count({ where: { status: { not: 'RETIRED' }, firmwareVersion: { not: null }, modelId: (await stack.deps.db.advisoryAffected.findFirstOrThrow()).modelId } });
    await expect.poll(() => advisories.getByRole('row').filter({ hasText: 'CVE-2026-4242' }).locator('td').nth(2).textContent()).toBe(exposed.toLocaleString('en'));
    await advisories.getByRole('button', { name: 'CVE-2026-4242' }).click();
    await page.getByRole('table', { name: 'CVE-2026-4242 per segment' }).waitFor();
    expect(await page.getByTestId('worst-case').textContent()).toMatch(/devices would fall at once to a worm entering at/);
    const reach = page.getByRole('table', { name: 'Worm reach per segment' });
    expect(await reach.getByRole('row').count()).toBeGreaterThan(1);
    await shot(page, 'readiness');
    await readmeShot(page, 'readme-readiness');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each([['a viewer', USERS.viewer], ['an operator', USERS.operator]] as const)('shows %s the incident, its containments and playbook runs without any button that changes them', async (_, who) => {
    const incident = await stack.deps.db.incident.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
    const { page, context, errors } = await newPage(stack);
    await signIn(page, who);
    await page.goto(`/#/incidents/${incident.id}`);
    await page.getByRole('table', { name: 'Alerts' }).waitFor();
    const changing = /quarantine|isolate|block|rotate|revoke|release|patch|run |approve|reject|cancel run|mark|close|assign|note|reopen|preview/i;
    const visible = async () => (await page.getByRole('main').getByRole('button').allTextContents()).filter((b) => changing.test(b));
    expect(await visible()).toEqual([]);
    expect(await page.getByText('Needs the RESPONDER role').count()).toBeGreaterThan(0);
    for (const tab of ['Contain and patch', 'Playbooks']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect.poll(() => page.getByText(/Needs the RESPONDER role/).count()).toBeGreaterThan(0);
      await page.getByRole('region', { name: tab === 'Playbooks' ? 'Runs' : 'Containments' }).waitFor();
      expect(await visible()).toEqual([]);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { processTelemetryBatch } from '@warden/core';
import { postDeploymentFeedback } from '@warden/core/ddi';
import { evaluateRollout, type RolloutDeps } from '@warden/core/rollouts';
import { createJobQueue, createRedis } from '@warden/runtime';
import { createRolloutFleet } from '@warden/testing';
import { seriousA11yViolations } from './axe.js';
import { USERS, newPage, screenshotsDir, signIn, startStack, tokenFor, type Stack } from './harness.js';

// The console in Debian's Chromium against the real api, over a database holding 10,000 devices.
// Pages settle within a second on an idle machine; two cores shared with other suites can take several.
vi.setConfig({ expect: { poll: { timeout: 10_000 } } });

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ scale: 5 });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
const deviceCount = (page: Page) => page.getByTestId('device-count');
const rowsIn = (page: Page) => page.locator('table[aria-label="Devices"] tbody tr[data-device-id]');

/** Buttons that change something on the server; a viewer must see none of them. */
const MUTATION_BUTTONS = [/new rollout/i, /approve/i, /^start$/i, /^pause$/i, /cancel rollout/i, /roll back/i, /register device/i, /import devices/i, /edit device/i, /retire device/i, /issue token/i, /rotate tokens/i, /revoke all tokens/i, /add tag/i, /move to segment/i];

describe('console', () => {
  it('signs an admin in and shows the fleet at a glance over 10,000 devices, rendering only the visible rows', async () => {
    const { page, context, errors } = await newPage(stack);
    await page.goto('/');
    await page.getByLabel('Email').fill(USERS.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|wrong/i);

    await signIn(page, USERS.admin);
    await expect.poll(() => deviceCount(page).textContent()).toBe('10,000 devices match');
    await expect.poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toContain('Audit log');
    const active = await stack.deps.db.device.count({ where: { status: 'ACTIVE' } });
    const statusPanel = page.getByRole('region', { name: 'By status' });
    await expect.poll(() => statusPanel.getByRole('button', { name: /Active/ }).textContent()).toContain(active.toLocaleString('en'));

    // Virtualised: a page of rows is loaded, but only what fits on screen is in the DOM.
    await expect.poll(() => rowsIn(page).count()).toBeGreaterThan(10);
    expect(await rowsIn(page).count()).toBeLessThan(80);
    await shot(page, 'fleet');
    // The README's copy is committed; refresh it on purpose with UPDATE_README_SCREENSHOT=1.
    if (process.env.UPDATE_README_SCREENSHOT || !existsSync(path.join(screenshotsDir, 'readme-fleet.png'))) await shot(page, 'readme-fleet');

    // Scrolling to the end of the loaded rows fetches the next page from the server.
    await page.locator('.table-scroll').first().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => page.getByText(/^Loaded [\d,]+ of 10,000/).textContent()).toMatch(/Loaded (400|600) of/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('filters devices on the server and keeps the filter in the address', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.admin);
    const cameras = await stack.deps.db.device.count({ where: { kind: 'CAMERA' } });
    await page.getByLabel('Kind', { exact: true }).selectOption('CAMERA');
    await expect.poll(() => deviceCount(page).textContent()).toBe(`${cameras.toLocaleString('en')} devices match`);
    const kinds = await rowsIn(page).locator('td:nth-child(3)').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['Camera']));
    expect(page.url()).toContain('kind=CAMERA');

    // Free text narrows further; a reload restores the same view.
    const one = await stack.deps.db.device.findFirstOrThrow({ where: { kind: 'CAMERA' }, orderBy: { serial: 'desc' } });
    await page.getByLabel('Search').fill(one.serial);
    await expect.poll(() => deviceCount(page).textContent()).toBe('1 device match');
    await page.reload();
    await expect.poll(() => deviceCount(page).textContent()).toBe('1 device match');
    await expect.poll(() => rowsIn(page).locator('td:nth-child(2)').allTextContents()).toEqual([one.serial]);

    // The filtered view exports as CSV in the import format.
    await page.getByLabel('Search').fill('');
    await expect.poll(() => deviceCount(page).textContent()).toBe(`${cameras.toLocaleString('en')} devices match`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
    expect(csv).toHaveLength(cameras + 1);
    expect(csv[0]).toMatch(/^serial,controller_id,name,model,kind,/);
    expect(csv.slice(1).every((line) => line.includes(',CAMERA,'))).toBe(true);

    // A saved view brings the filter back.
    await page.getByLabel('Save current view as').fill('All cameras');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => deviceCount(page).textContent()).toBe('10,000 devices match');
    await page.getByRole('group', { name: 'Saved views' }).getByRole('button', { name: 'All cameras', exact: true }).click();
    await expect.poll(() => deviceCount(page).textContent()).toBe(`${cameras.toLocaleString('en')} devices match`);

    // Clicking a count in the summary filters by it too.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('region', { name: 'By status' }).getByRole('button', { name: /Active/ }).click();
    const active = await stack.deps.db.device.count({ where: { status: 'ACTIVE' } });
    await expect.poll(() => deviceCount(page).textContent()).toBe(`${active.toLocaleString('en')} devices match`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a device, edits it, and shows the change in its history', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.admin);
    const first = rowsIn(page).first();
    const name = (await first.locator('td:first-child a').textContent())!;
    await first.locator('td:first-child a').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
    const device = await stack.deps.db.device.findFirstOrThrow({ where: { name } });
    await expect.poll(() => page.getByRole('region', { name: 'State' }).textContent()).toContain(device.controllerId);

    await page.getByRole('button', { name: 'Edit device' }).click();
    await page.getByLabel('Location').fill('Floor 9, server room');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'State' }).textContent()).toContain('Floor 9, server room');
    expect((await stack.deps.db.device.findUniqueOrThrow({ where: { id: device.id } })).location).toBe('Floor 9, server room');
    await expect.poll(() => page.getByRole('region', { name: 'History', exact: true }).textContent()).toContain('device.update');
    await expect.poll(() => page.getByRole('region', { name: 'History', exact: true }).textContent()).toContain('Floor 9, server room');
    await shot(page, 'device');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a device’s telemetry chart over a chosen time range, its contacts, and fleet liveness', async () => {
    const db = stack.deps.db;
    const [camera, peer] = await db.device.findMany({ where: { kind: 'CAMERA' }, orderBy: { serial: 'asc' }, take: 2 });
    // Two hours of readings, one a minute, through the stream processor's own batch writer.
    const now = Date.now();
    const records = Array.from({ length: 120 }, (_, i) => ({
      deviceId: camera!.id,
      seq: i + 1,
      ts: new Date(now - (120 - i) * 60_000).toISOString(),
      metrics: { cpu: 20 + (i % 10), temperature: 40 + (i % 5) },
      flows: [
        { peer: peer!.ip!, port: 554, protocol: 'tcp' as const, outbound: true, bytes: 1000, packets: 10 },
        { peer: '203.0.113.9', port: 443, protocol: 'tcp' as const, outbound: true, bytes: 500, packets: 5 },
      ],
      events: [],
      ip: camera!.ip!,
      interval: 60,
      receivedAt: new Date(now - (120 - i) * 60_000 + 50).toISOString(),
      via: 'http' as const,
    }));
    await processTelemetryBatch({ pool: stack.database.sql, events: { publish: async () => undefined } }, records);

    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.viewer);
    await expect.poll(() => page.getByTestId('liveness').textContent()).toMatch(/^1 online/);
    await page.goto(`/#/devices/${camera!.id}`);
    const telemetry = page.getByRole('region', { name: 'Telemetry' });
    await expect.poll(() => telemetry.textContent()).toContain('Online');
    const readings = async () => Number((await page.getByTestId('series-summary').textContent())!.match(/from (\d+) readings/)?.[1] ?? -1);
    await expect.poll(() => page.getByTestId('series-summary').textContent()).toMatch(/^cpu: average [\d.]+, lowest 20, highest 29 from \d+ readings/);
    expect(await telemetry.locator('canvas').count()).toBeGreaterThan(0);
    // The last hour holds about half of the two hours of readings; six hours hold them all.
    expect(Math.abs((await readings()) - 60)).toBeLessThanOrEqual(1);
    await page.getByLabel('Time range').selectOption('6h');
    await expect.poll(readings).toBe(120);
    await page.getByLabel('Metric').selectOption('temperature');
    await expect.poll(() => page.getByTestId('series-summary').textContent()).toMatch(/^temperature: .*lowest 40, highest 44/);
    await page.getByRole('button', { name: 'Show as table' }).click();
    expect(await page.getByRole('table', { name: 'temperature readings' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Show chart' }).click();

    // The contact to another camera links to it; the outside address says so.
    const contacts = page.getByRole('table', { name: 'Contacts' });
    await expect.poll(() => contacts.textContent()).toContain('203.0.113.9');
    expect(await contacts.textContent()).toContain('outside the fleet');
    await shot(page, 'device-telemetry');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await contacts.getByRole('link', { name: new RegExp(peer!.name) }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(peer!.name);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a viewer no buttons that change anything and no audit log; signing out ends the session', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.viewer);
    await expect.poll(() => deviceCount(page).textContent()).toBe('10,000 devices match');
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav).not.toContain('Audit log');
    for (const name of MUTATION_BUTTONS) expect(await page.getByRole('button', { name }).count()).toBe(0);

    await rowsIn(page).first().locator('td:first-child a').click();
    await page.getByRole('region', { name: 'State' }).waitFor();
    await expect.poll(() => page.getByText(/read-only access/).count()).toBe(1);
    for (const name of MUTATION_BUTTONS) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'History', exact: true }).count()).toBe(0);
    await shot(page, 'device-viewer');

    // Rollouts: read-only too.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('table', { name: 'Rollouts' }).waitFor();
    expect(await page.getByRole('link', { name: 'New rollout' }).count()).toBe(0);

    // The audit page is not there for a viewer, even by address.
    await page.goto('/#/audit');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');

    // Signing out ends the session on the server too: the old token is refused.
    const token = await page.evaluate(() => sessionStorage.getItem('warden.token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Warden');
    const res = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('returns to the sign-in page, saying why, when the session is revoked elsewhere', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.viewer);
    await expect.poll(() => deviceCount(page).textContent()).toBe('10,000 devices match');
    const token = await page.evaluate(() => sessionStorage.getItem('warden.token'));
    await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { logout }' }),
    });
    await page.getByLabel('Kind', { exact: true }).selectOption('LIGHT');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Warden');
    expect(await page.getByRole('status').textContent()).toBe('Your session has ended. Sign in again.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an operator import a CSV file with a per-row error report, and register a device', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.operator);
    const model = await stack.deps.db.deviceModel.findFirstOrThrow({ include: { devices: { take: 1, include: { segment: { include: { site: true } } } } } });
    const seg = model.devices[0]!.segment!;
    const csv = [
      'serial,model,name,firmware,segment,tags',
      `IMP-0001,${model.vendor}/${model.name},Imported one,1.0.0,${seg.site.code}/${seg.name},imported`,
      `IMP-0002,${model.vendor}/${model.name},Imported two,1.0.0,${seg.site.code}/${seg.name},imported`,
      `IMP-0003,no-such/model,Broken,1.0.0,${seg.site.code}/${seg.name},imported`,
    ].join('\n');
    await page.getByRole('button', { name: 'Import devices…' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toBe('2 created · 0 updated · 0 unchanged · 1 failed');
    const report = page.getByRole('table', { name: 'Rows that were not imported' });
    await expect.poll(() => report.locator('tbody tr td').first().textContent()).toBe('4');
    expect(await report.textContent()).toContain('IMP-0003');
    await shot(page, 'import');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => deviceCount(page).textContent()).toBe('10,002 devices match');

    // Registering one device issues its first token, shown once, and opens its page.
    await page.getByRole('button', { name: 'Register device…' }).click();
    const form = page.getByRole('dialog', { name: 'Register a device' });
    await form.getByLabel('Serial', { exact: true }).fill('REG-0001');
    await form.getByLabel('Model').selectOption(model.id);
    await form.getByLabel('Segment').selectOption(seg.id);
    await form.getByLabel('Firmware version').fill('1.2.3');
    await form.getByRole('button', { name: 'Register', exact: true }).click();
    expect(await page.getByTestId('device-token').textContent()).toMatch(/\S{20,}/);
    await page.getByRole('button', { name: 'Open the device' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('REG-0001');
    await expect.poll(() => page.getByRole('region', { name: 'Device credentials' }).textContent()).toContain('1 active token');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists sites, segments and models with counts that open the filtered fleet; an operator adds a segment', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.operator);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites and models' }).click();
    const segments = page.getByRole('table', { name: 'Network segments' });
    await page.getByLabel('Segment name').fill('lab');
    await page.getByLabel('CIDR').fill('10.99.0.0/24');
    await page.getByRole('button', { name: 'Add segment' }).click();
    await expect.poll(() => segments.textContent()).toContain('10.99.0.0/24');
    expect(await stack.deps.db.segment.count({ where: { name: 'lab', cidr: '10.99.0.0/24' } })).toBe(1);
    // Deleting is for admins only.
    expect(await page.getByRole('button', { name: /Delete segment/ }).count()).toBe(0);
    await shot(page, 'places');

    const security = await stack.deps.db.segment.findFirstOrThrow({ where: { name: 'security' } });
    const onIt = await stack.deps.db.device.count({ where: { segmentId: security.id } });
    await segments.getByRole('row').filter({ hasText: 'security' }).getByRole('link').click();
    await expect.poll(() => deviceCount(page).textContent()).toBe(`${onIt.toLocaleString('en')} devices match`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an admin search the audit log', async () => {
    const { page, context, errors } = await newPage(stack);
    const token = await tokenFor(stack, USERS.admin);
    const device = await stack.deps.db.device.findFirstOrThrow({ orderBy: { serial: 'asc' } });
    const res = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation($ids: [ID!]!) { tagDevices(ids: $ids, add: ["audited-tag"]) { id } }', variables: { ids: [device.id] } }),
    });
    expect(res.status).toBe(200);

    await signIn(page, USERS.admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action starts with').fill('device.tag');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('table', { name: 'Audit log entries' });
    await expect.poll(() => table.textContent()).toContain('audited-tag');
    const actions = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith('device.tag'))).toBe(true);
    await shot(page, 'audit');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an admin create an API key, shown once, and revoke it', async () => {
    const { page, context, errors } = await newPage(stack);
    await signIn(page, USERS.admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access' }).click();
    await page.getByLabel('Key name').fill('nightly-report');
    await page.getByLabel('Key role').selectOption('VIEWER');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('api-key-secret').textContent())!.trim();
    const me = async () => {
      const res = await fetch(`${stack.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ me { name role } }' }),
      });
      return (await res.json()) as { data?: { me: { role: string } }; errors?: { extensions: { code: string } }[] };
    };
    expect((await me()).data?.me.role).toBe('VIEWER');
    await shot(page, 'access');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('api-key-secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke nightly-report' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke nightly-report' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'API keys' }).textContent()).toMatch(/nightly-report.*revoked/);
    expect((await me()).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('has no serious accessibility problems on its main pages', async () => {
    const { page, context } = await newPage(stack);
    await page.goto('/');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await signIn(page, USERS.admin);
    await expect.poll(() => rowsIn(page).count()).toBeGreaterThan(10);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await rowsIn(page).first().locator('td:first-child a').click();
    await page.getByRole('region', { name: 'History', exact: true }).getByRole('table').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    for (const to of ['Sites and models', 'Audit log', 'Access']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: to }).click();
      await page.getByRole('table').first().waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
    }
    await context.close();
  });

  it('serves the GraphQL IDE, which runs a query with the pasted token', async () => {
    const { page, context } = await newPage(stack);
    const token = await tokenFor(stack, USERS.viewer);
    const query = '{ devices(first: 1, filter: { kinds: [CAMERA] }) { totalCount } }';
    await page.goto(`/ide?query=${encodeURIComponent(query)}`);
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Authenticated/);
    // The editor opens with the query from the link once GraphiQL has loaded the schema.
    await expect.poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 20_000 }).toContain('totalCount');
    await page.locator('.graphiql-execute-button').click();
    const cameras = await stack.deps.db.device.count({ where: { kind: 'CAMERA' } });
    await expect.poll(() => page.locator('.result-window').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`"totalCount":\\s*${cameras}`));
    await shot(page, 'ide');
    await context.close();

    // Signed in to the console, the IDE link opens the IDE already authenticated as that user.
    const second = await newPage(stack);
    await signIn(second.page, USERS.operator);
    await second.page.getByRole('link', { name: 'GraphQL IDE' }).click();
    await expect.poll(() => second.page.getByRole('status').first().textContent()).toMatch(/^Authenticated/);
    await second.context.close();
  });

  it('plans a rollout with a device-count preview, approves and starts it, and shows progress as devices report', async () => {
    const fleet = await createRolloutFleet(stack.deps, 20, { prefix: 'ro' });
    const model = await stack.deps.db.deviceModel.findUniqueOrThrow({ where: { id: fleet.modelId } });
    const redis = createRedis(stack.config.redisUrl);
    const jobs = createJobQueue(redis, stack.config.redisPrefix);
    const deps: RolloutDeps = { ...stack.deps, config: stack.config, jobs, evaluateDebounceMs: 10 };

    // An operator plans it; the preview counts the devices the release can reach.
    const operator = await newPage(stack);
    const page = operator.page;
    await signIn(page, USERS.operator);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('link', { name: 'New rollout' }).click();
    await page.getByLabel('Rollout name').fill('Hub firmware 1.1.0');
    await page.getByLabel('Release').selectOption({ label: `Acme ${model.name} 1.1.0` });
    await page.getByLabel('Waves (cumulative %)').fill('10, 100');
    await expect.poll(() => page.getByTestId('rollout-preview').textContent()).toMatch(/^20 Acme Hub-\w+ devices match/);
    expect(await page.getByTestId('rollout-preview').textContent()).toContain('10% → 2 · 100% → 18');
    await shot(page, 'rollout-new');
    await page.getByRole('button', { name: 'Create rollout' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Hub firmware 1.1.0');
    const id = page.url().split('/rollouts/')[1]!;
    await expect.poll(() => page.getByTestId('rollout-progress').textContent()).toBe('0 of 20 devices updated · 0 failed');
    // Approval is an admin's: the operator sees why it waits, and no Approve button.
    expect(await page.getByText('Waiting for an admin to approve it.').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    const admin = await newPage(stack);
    await signIn(admin.page, USERS.admin);
    await admin.page.goto(`/#/rollouts/${id}`);
    await admin.page.getByRole('button', { name: 'Approve' }).click();
    await admin.page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => admin.page.getByRole('button', { name: 'Pause' }).count()).toBe(1);

    // The orchestrator sends the first wave; two devices report success over DDI feedback.
    await evaluateRollout(deps, id);
    const actions = await stack.deps.db.updateAction.findMany({ where: { rolloutId: id, status: { notIn: ['PLANNED'] } } });
    expect(actions).toHaveLength(2);
    for (const a of actions) {
      await postDeploymentFeedback(deps, a.deviceId, Number(a.id), { status: { execution: 'closed', result: { finished: 'success' } } });
    }
    await expect.poll(() => admin.page.getByTestId('rollout-progress').textContent(), { timeout: 10_000 }).toBe('2 of 20 devices updated · 0 failed');
    await expect.poll(() => admin.page.getByTestId('wave-0').textContent()).toContain('2/2 updated');
    await shot(admin.page, 'rollout');

    // The operator's page follows along, and pausing works from it.
    await expect.poll(() => page.getByTestId('rollout-progress').textContent(), { timeout: 10_000 }).toBe('2 of 20 devices updated · 0 failed');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    expect(await stack.deps.db.rollout.findUniqueOrThrow({ where: { id } }).then((r) => r.status)).toBe('PAUSED');
    expect([...operator.errors, ...admin.errors]).toEqual([]);
    await operator.context.close();
    await admin.context.close();
    await jobs.close();
    redis.disconnect();
  });
});

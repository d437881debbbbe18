import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { upsertAdvisory } from '@warden/core/firmware';
import { createRolloutFleet } from '@warden/testing';
import { codeOf, startApi } from './harness.js';
import { playbookFixtures } from './playbook-fixtures.js';

/** Playbooks and webhooks through GraphQL: validation, versions, dry runs, rehearsals, roles. */
const api = await startApi();
const fx = playbookFixtures(api);
let admin: string;
let responder: string;
let viewer: string;

beforeAll(async () => {
  [admin, responder, viewer] = await Promise.all([api.signIn('ADMIN'), api.signIn('RESPONDER'), api.signIn('VIEWER')]);
});

const WORM = `name: api-worm
title: Worm response
trigger: { rules: [WORM_FAN_OUT], minSeverity: HIGH }
steps:
  - id: quarantine-infected
    type: quarantine
    targets: incident.devices
  - id: rotate
    type: rotate_credentials
    targets: incident.devices
  - id: patch
    type: emergency_rollout
    targets: blast_radius.tier<=2
  - id: tell
    type: notify_webhook
    event: playbook.worm
`;

/** Every row of the tables a playbook could touch, and every key of this API's Redis prefix. */
async function everything(): Promise<string> {
  const tables = ['devices', 'device_credentials', 'incidents', 'incident_timeline', 'audit_log', 'playbooks', 'playbook_runs', 'playbook_step_effects', 'webhook_deliveries', 'rollouts', 'update_actions'];
  const parts = await Promise.all(tables.map(async (t) => `${t}:${(await api.sql.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`)).rows.map((r) => `${r.n}/${r.h}`).join()}`));
  const keys = (await api.redis.keys(`${api.config.redisPrefix}:*`)).sort();
  return [...parts, `redis:${keys.join(',')}`].join('\n');
}

describe('playbook definitions', () => {
  it('refuses a bad playbook naming every problem by path and line, and accepts a good one', async () => {
    const bad = await api.gql('mutation($s: String!) { createPlaybook(source: $s) { id } }', { s: 'name: p\nsteps:\n  - id: patch\n    type: emergency_rollout\n    targets: tier1\n  - id: x\n    type: reboot\n' }, admin);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toMatch(/^invalid playbook: steps\[0\] \(patch\)\.targets: "tier1" is not a device selector.*\(line 5\); steps\[1\] \(x\)\.type: type must be one of/);
    expect(bad.errors![0]!.extensions!.issues).toEqual([
      { path: 'steps[0] (patch).targets', message: expect.stringMatching(/not a device selector/), line: 5 },
      { path: 'steps[1] (x).type', message: expect.stringMatching(/type must be one of/), line: 7 },
    ]);
    const check = await api.gql('query($s: String!) { validatePlaybook(source: $s) { valid issues { path line } } }', { s: 'name: p\nsteps: [\n' }, viewer);
    expect(check.data!.validatePlaybook).toMatchObject({ valid: false, issues: [{ path: '(document)' }] });

    const ok = await api.gql('mutation($s: String!) { createPlaybook(source: $s) { id name title format version enabled autoTrigger stepCount source trigger } }', { s: WORM }, admin);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.createPlaybook).toMatchObject({ name: 'api-worm', title: 'Worm response', format: 'YAML', version: 1, enabled: true, autoTrigger: false, stepCount: 4, source: WORM, trigger: { rules: ['WORM_FAN_OUT'], minSeverity: 'HIGH', auto: false } });
    expect(codeOf(await api.gql('mutation($s: String!) { createPlaybook(source: $s) { id } }', { s: WORM }, admin))).toBe('CONFLICT');
    expect(codeOf(await api.gql('mutation($s: String!) { createPlaybook(source: $s) { id } }', { s: WORM.replace('api-worm', 'other') }, responder))).toBe('FORBIDDEN');
    const listed = await api.gql('{ playbooks { name } }', {}, viewer);
    expect(listed.data!.playbooks.map((p: { name: string }) => p.name)).toContain('api-worm');
  });

  it('versions a playbook when its source changes, and keeps JSON as JSON', async () => {
    const json = JSON.stringify({ name: 'json-pb', steps: [{ id: 'w', type: 'wait', duration: '1m' }] });
    const created = (await api.gql('mutation($s: String!) { createPlaybook(source: $s) { id format version } }', { s: json }, admin)).data!.createPlaybook;
    expect(created).toMatchObject({ format: 'JSON', version: 1 });
    const same = await api.gql('mutation($id: ID!, $s: String!) { updatePlaybook(id: $id, source: $s) { version } }', { id: created.id, s: json }, admin);
    expect(same.data!.updatePlaybook.version).toBe(1);
    const changed = await api.gql('mutation($id: ID!, $s: String!) { updatePlaybook(id: $id, source: $s) { version definition } }', { id: created.id, s: json.replace('1m', '2m') }, admin);
    expect(changed.data!.updatePlaybook).toMatchObject({ version: 2, definition: { steps: [{ duration: 120_000 }] } });
    expect(codeOf(await api.gql('mutation($id: ID!) { updatePlaybook(id: $id, source: "name: x") { version } }', { id: created.id }, admin))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql('mutation { updatePlaybook(id: "0b4e7c1e-0000-4000-8000-000000000000", source: "name: x\\nsteps: [{id: w, type: wait, duration: 1m}]") { version } }', {}, admin))).toBe('NOT_FOUND');
  });
});

describe('dry runs', () => {
  it('say exactly what each step would touch, and change nothing anywhere', async () => {
    const fleet = await createRolloutFleet(api.deps, 4, { prefix: 'dry' });
    await upsertAdvisory(api.deps, SYSTEM_ACTOR, { externalId: 'CVE-2026-7777', severity: 'HIGH', affected: [{ modelId: fleet.modelId, introduced: null, fixed: '1.1.0', lastAffected: null }] });
    const site = await api.db.site.create({ data: { code: 'dry', name: 'Dry' } });
    const segment = await api.db.segment.create({ data: { siteId: site.id, name: 'iot', cidr: '10.30.0.0/24', zone: 'IOT' } });
    const ids = fleet.devices.map((d) => d.id);
    await api.db.device.updateMany({ where: { id: { in: ids } }, data: { segmentId: segment.id } });
    const incidentId = await fx.incident({ deviceIds: ids.slice(0, 2), segmentId: segment.id });
    const pb = await api.db.playbook.findUniqueOrThrow({ where: { name: 'api-worm' } });
    const query = `query($i: ID!, $p: ID, $s: String) { dryRunPlaybook(incidentId: $i, playbookId: $p, source: $s) {
      playbook applies totals { devices segments destinations }
      steps { id type decision skipCode idempotencyKey excluded { id reason } touches { deviceIds deviceCount devices { id serial } webhook { event subscribers } } } } }`;

    const before = await everything();
    const r = await api.gql(query, { i: incidentId, p: pb.id }, responder);
    expect(r.errors).toBeUndefined();
    expect(await everything()).toBe(before);

    const plan = r.data!.dryRunPlaybook;
    const step = (id: string) => plan.steps.find((s: { id: string }) => s.id === id);
    expect(plan).toMatchObject({ playbook: 'api-worm', applies: true });
    expect(step('quarantine-infected').touches.deviceIds).toEqual(ids.slice(0, 2));
    expect(step('quarantine-infected').touches.devices.map((d: { serial: string }) => d.serial)).toEqual(['dry-00000', 'dry-00001']);
    expect(step('rotate').touches.deviceCount).toBe(2);
    // The same segment puts the other two in the blast radius.
    expect([...step('patch').touches.deviceIds].sort()).toEqual(ids.slice(2).sort());
    expect(step('tell')).toMatchObject({ decision: 'RUN', touches: { webhook: { event: 'playbook.worm', subscribers: [] } } });
    expect(plan.totals.devices).toBe(4);

    // An edit in progress can be dry-run before it is saved.
    const draft = await api.gql(query, { i: incidentId, s: WORM.replace('blast_radius.tier<=2', 'incident.devices') }, responder);
    expect(draft.data!.dryRunPlaybook.steps[2].touches.deviceIds).toEqual(ids.slice(0, 2));
    expect(await everything()).toBe(before);
    expect(codeOf(await api.gql(query, { i: incidentId, p: pb.id }, viewer))).toBe('FORBIDDEN');
    expect(codeOf(await api.gql(query, { i: '0b4e7c1e-0000-4000-8000-000000000000', p: pb.id }, responder))).toBe('NOT_FOUND');
  });

  it('records a rehearsal as a run that executed nothing (dryRun: true)', async () => {
    const pb = await api.db.playbook.findUniqueOrThrow({ where: { name: 'api-worm' } });
    const incidentId = await fx.incident();
    const r = await api.gql(
      'mutation($p: ID!, $i: ID!) { runPlaybook(playbookId: $p, incidentId: $i, dryRun: true) { id dryRun status trigger actorName steps { id status } incident { id } } }',
      { p: pb.id, i: incidentId },
      responder,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.runPlaybook).toMatchObject({ dryRun: true, status: 'SUCCEEDED', trigger: 'MANUAL', incident: { id: incidentId } });
    expect(r.data!.runPlaybook.steps.every((s: { status: string }) => s.status === 'SKIPPED')).toBe(true);
    const timeline = await api.gql('query($i: ID!) { incident(id: $i) { timeline { type summary } playbookRuns { id } } }', { i: incidentId }, viewer);
    expect(timeline.data!.incident.timeline.map((e: { summary: string }) => e.summary)).toEqual([
      expect.stringMatching(/^playbook api-worm started: dry run, by responder-/),
      'playbook api-worm succeeded: dry run: nothing was executed',
    ]);
    expect(timeline.data!.incident.playbookRuns).toEqual([{ id: r.data!.runPlaybook.id }]);
    expect(await api.db.playbookStepEffect.count()).toBe(0);
  });
});

describe('runs', () => {
  it('refuses to run a disabled playbook and to delete one with a run in progress', async () => {
    const id = await fx.playbook();
    const incidentId = await fx.incident();
    await api.gql('mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { enabled } }', { id }, admin);
    const refused = await api.gql('mutation($p: ID!, $i: ID!) { runPlaybook(playbookId: $p, incidentId: $i) { id } }', { p: id, i: incidentId }, responder);
    expect(refused.errors![0]).toMatchObject({ message: expect.stringMatching(/is disabled/), extensions: { code: 'CONFLICT' } });
    await api.gql('mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: true) { enabled } }', { id }, admin);
    const run = await api.gql('mutation($p: ID!, $i: ID!) { runPlaybook(playbookId: $p, incidentId: $i) { id status currentStep { id status } } }', { p: id, i: incidentId }, responder);
    expect(run.data!.runPlaybook).toMatchObject({ status: 'RUNNING', currentStep: { id: 'hold', status: 'PENDING' } });
    const del = await api.gql('mutation($id: ID!) { deletePlaybook(id: $id) { id } }', { id }, admin);
    expect(del.errors![0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/runs in progress/) });
    await api.gql('mutation($r: ID!) { cancelPlaybookRun(runId: $r) { status } }', { r: run.data!.runPlaybook.id }, responder);
    expect((await api.gql('mutation($id: ID!) { deletePlaybook(id: $id) { id } }', { id }, admin)).errors).toBeUndefined();
    const kept = await api.gql('query($r: ID!) { playbookRun(id: $r) { playbook { id } playbookName status } }', { r: run.data!.runPlaybook.id }, viewer);
    expect(kept.data!.playbookRun).toMatchObject({ playbook: null, status: 'CANCELED', playbookName: expect.stringMatching(/^fixture-/) });
  });

  it('answers approvals of the wrong step or run clearly', async () => {
    const runId = await fx.awaitingApproval();
    const approve = 'mutation($r: ID!, $s: String!) { approvePlaybookStep(runId: $r, stepId: $s) { status steps { id status decidedBy } } }';
    expect(codeOf(await api.gql(approve, { r: runId, s: 'hold' }, responder))).toBe('CONFLICT');
    expect(codeOf(await api.gql(approve, { r: runId, s: 'nope' }, responder))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(approve, { r: '0b4e7c1e-0000-4000-8000-000000000000', s: 'go' }, responder))).toBe('NOT_FOUND');
    expect(codeOf(await api.gql(approve, { r: 'not-an-id', s: 'go' }, responder))).toBe('BAD_USER_INPUT');
    const ok = await api.gql(approve, { r: runId, s: 'go' }, responder);
    expect(ok.data!.approvePlaybookStep).toMatchObject({ status: 'RUNNING', steps: [{ id: 'go', status: 'SUCCEEDED', decidedBy: expect.stringMatching(/^user:/) }, { id: 'hold', status: 'PENDING' }] });
  });
});

describe('webhook subscriptions', () => {
  it('shows the secret once, never again, and only to admins', async () => {
    const created = await api.gql(
      'mutation { createWebhookSubscription(input: {name: "soar", url: "https://soar.example.com/in", events: ["incident.opened", "playbook.worm"]}) { secret subscription { id name secretHint events } } }',
      {},
      admin,
    );
    expect(created.errors).toBeUndefined();
    const { secret, subscription } = created.data!.createWebhookSubscription;
    expect(subscription.secretHint).toBe(`…${secret.slice(-4)}`);
    const row = await api.db.webhookSubscription.findUniqueOrThrow({ where: { id: subscription.id } });
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(codeOf(await api.gql('{ webhookSubscriptions { id } }', {}, responder))).toBe('FORBIDDEN');
    const listed = await api.gql('{ webhookSubscriptions { name url events deliveries { nodes { id } } } }', {}, admin);
    expect(listed.data!.webhookSubscriptions).toEqual([{ name: 'soar', url: 'https://soar.example.com/in', events: ['incident.opened', 'playbook.worm'], deliveries: { nodes: [] } }]);
    const refused = await api.gql('mutation { createWebhookSubscription(input: {name: "meta", url: "http://169.254.169.254/", events: ["*"]}) { secret } }', {}, admin);
    expect(refused.errors![0]).toMatchObject({ message: expect.stringMatching(/^url: refused: 169.254.169.254 is a linkLocal address/), extensions: { code: 'BAD_USER_INPUT', field: 'url' } });
    // The dry run now names the subscriber of the notify step's event.
    const pb = await api.db.playbook.findUniqueOrThrow({ where: { name: 'api-worm' } });
    const plan = await api.gql('query($i: ID!, $p: ID) { dryRunPlaybook(incidentId: $i, playbookId: $p) { steps { id touches { webhook { subscribers } } } } }', { i: await fx.incident(), p: pb.id }, responder);
    expect(plan.data!.dryRunPlaybook.steps[3].touches.webhook.subscribers).toEqual(['soar']);
  });
});

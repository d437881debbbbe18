import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS } from '@warden/contracts';
import { updateIncidentStatus, type Actor } from '@warden/core';
import {
  cancelPlaybookRun,
  createPlaybook,
  decidePlaybookApproval,
  startPlaybookRun,
  type PlaybookRun,
} from '@warden/core/playbooks';
import { createWebhookSubscription } from '@warden/core/webhooks';
import { upsertAdvisory } from '@warden/core/firmware';
import { containmentStep, emergencyRolloutStep, runActor } from '@warden/core/playbooks';
import { SYSTEM_ACTOR, issueCredentials } from '@warden/core';
import { createRolloutFleet, startWebhookReceiver, type WebhookReceiver } from '@warden/testing';
import { createWorkerService } from '../src/main.js';
import { eventually, startPlaybookHarness, type PlaybookHarness } from './harness.js';

/**
 * Playbook runs on the real worker (BullMQ on Redis, Postgres), with webhooks to a real HTTP
 * receiver that checks every signature.
 */
let h: PlaybookHarness;
let worker: ReturnType<typeof createWorkerService>;
let receiver: WebhookReceiver;
let admin: Actor;
let responder: Actor;

beforeAll(async () => {
  h = await startPlaybookHarness();
  receiver = await startWebhookReceiver();
  admin = await h.person('ADMIN');
  responder = await h.person('RESPONDER');
  worker = createWorkerService(h.config);
  await worker.start();
  for (const [name, events] of [['soc', ['playbook.run.finished']], ['all', ['playbook.done']]] as const) {
    const { secret } = await createWebhookSubscription(h.deps, admin, { name, url: `${receiver.url}/${name}`, events: [...events] });
    receiver.trust(secret);
  }
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await h?.close();
});

const run = async (id: string) => {
  const row = await h.tdb.db.playbookRun.findUniqueOrThrow({ where: { id } });
  return { ...row, state: row.state as unknown as PlaybookRun };
};
const stepStatuses = (state: PlaybookRun) => Object.fromEntries(state.steps.map((s) => [s.plan.id, s.status]));
const settled = (id: string, status: string) => eventually(async () => ((await run(id)).status === status ? run(id) : null), `run ${status}`);

describe('playbook runs on the worker', () => {
  it('notifies (signed), waits, stops for approval, goes on once a responder approves, and writes it all down', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: `name: notify-wait-approve
steps:
  - id: tell-soc
    type: notify_webhook
    url: ${receiver.url}/soc
    secret: soc
    message: a worm is loose
  - id: pause
    type: wait
    duration: 1s
  - id: go-ahead
    type: require_approval
    message: Go on?
    timeout: 1h
  - id: tell-all
    type: notify_webhook
    event: playbook.done
`,
    });
    const incidentId = await h.incident();
    const started = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId });
    expect(started).toMatchObject({ status: 'RUNNING', trigger: 'MANUAL', playbookVersion: 1, actorName: responder.name });

    const waiting = await settled(started.id, 'AWAITING_APPROVAL');
    expect(stepStatuses(waiting.state)).toEqual({ 'tell-soc': 'SUCCEEDED', pause: 'SUCCEEDED', 'go-ahead': 'AWAITING_APPROVAL', 'tell-all': 'PENDING' });
    // The wait really waited.
    const pause = waiting.state.steps[1]!;
    expect(pause.finishedAt! - pause.startedAt!).toBeGreaterThanOrEqual(1000);

    const soc = receiver.accepted('playbook.step');
    expect(soc).toHaveLength(1);
    expect(soc[0]!.verified).toBe(true);
    expect(soc[0]!.headers[WEBHOOK_HEADERS.eventId]).toBe(waiting.state.steps[0]!.plan.idempotencyKey);
    expect(soc[0]!.body.data).toMatchObject({ message: 'a worm is loose', playbook: 'notify-wait-approve', incident: { id: incidentId, severity: 'HIGH' } });

    const approved = await decidePlaybookApproval(h.deps, responder, { runId: started.id, stepId: 'go-ahead', approve: true });
    expect(approved.status).toBe('RUNNING');
    const done = await settled(started.id, 'SUCCEEDED');
    expect(stepStatuses(done.state)).toEqual({ 'tell-soc': 'SUCCEEDED', pause: 'SUCCEEDED', 'go-ahead': 'SUCCEEDED', 'tell-all': 'SUCCEEDED' });
    expect(done.state.steps[2]!.decidedBy).toBe(`user:${responder.id}`);
    expect(done.finishedAt).not.toBeNull();

    await eventually(async () => receiver.accepted('playbook.run.finished').length === 1, 'the run-finished webhook');
    const finished = receiver.accepted('playbook.run.finished')[0]!;
    expect(finished.body.data).toMatchObject({ run: { id: started.id, status: 'SUCCEEDED', playbook: 'notify-wait-approve' } });
    expect(receiver.accepted('playbook.done')).toHaveLength(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);

    // Every step wrote the incident timeline, under the run's name or the person who decided.
    const timeline = await h.tdb.db.incidentTimelineEntry.findMany({ where: { incidentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    expect(timeline.every((e) => e.type === 'PLAYBOOK')).toBe(true);
    const lines = timeline.map((e) => `${e.actor.split(':')[0]} ${(e.data as { event: string }).event} ${(e.data as { stepId?: string }).stepId ?? ''}`.trim());
    expect(lines).toEqual([
      'user RUN_STARTED',
      'playbook-run STEP_STARTED tell-soc',
      'playbook-run STEP_SUCCEEDED tell-soc',
      'playbook-run STEP_WAITING pause',
      'playbook-run STEP_SUCCEEDED pause',
      'playbook-run STEP_AWAITING_APPROVAL go-ahead',
      'user STEP_SUCCEEDED go-ahead',
      'playbook-run STEP_STARTED tell-all',
      'playbook-run STEP_SUCCEEDED tell-all',
      'playbook-run RUN_SUCCEEDED',
    ]);
    expect(timeline[2]!.summary).toBe('notify-wait-approve › tell-soc (notify_webhook) succeeded: notified soc (playbook.step)');

    const audit = await h.tdb.db.auditLog.findMany({ where: { targetId: started.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([
      ['playbook.run', responder.name],
      ['playbook.approve', responder.name],
    ]);
    const deliveries = await h.tdb.db.webhookDelivery.findMany({ where: { runId: started.id } });
    expect(deliveries.map((d) => [d.event, d.status, d.attempts]).sort()).toEqual([['playbook.done', 'SUCCEEDED', 1], ['playbook.step', 'SUCCEEDED', 1]]);
  });

  it('fails a run whose approval nobody gives in time (a delayed job wakes it)', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: approve-quickly\nsteps:\n  - { id: ok, type: require_approval, message: "Now?", timeout: 1s }\n  - { id: after, type: notify_webhook, event: playbook.done }\n',
    });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    const failed = await settled(r.id, 'FAILED');
    expect(stepStatuses(failed.state)).toEqual({ ok: 'FAILED', after: 'PENDING' });
    expect(failed.state.steps[0]!.error).toBe('approval timed out');
    await expect(decidePlaybookApproval(h.deps, responder, { runId: r.id, stepId: 'ok', approve: true })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('fails the run when a step is rejected, and lets only the role the step names decide', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: admin-approval\nsteps:\n  - { id: ok, type: require_approval, message: "Isolate?", role: ADMIN, timeout: 1h }\n  - { id: after, type: notify_webhook, event: playbook.done }\n',
    });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    await settled(r.id, 'AWAITING_APPROVAL');
    await expect(decidePlaybookApproval(h.deps, responder, { runId: r.id, stepId: 'ok', approve: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(decidePlaybookApproval(h.deps, admin, { runId: r.id, stepId: 'nope', approve: true })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const rejected = await decidePlaybookApproval(h.deps, admin, { runId: r.id, stepId: 'ok', approve: false, reason: 'false positive' });
    expect(rejected.status).toBe('FAILED');
    const after = await run(r.id);
    expect(stepStatuses(after.state)).toEqual({ ok: 'FAILED', after: 'PENDING' });
    expect(after.state.steps[0]!.error).toBe('false positive');
  });

  it('waits until the incident is contained, woken by the incident change', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: until-contained\nsteps:\n  - { id: hold, type: wait, until: { field: incident.status, op: gte, value: CONTAINED }, timeout: 1h }\n',
    });
    const incidentId = await h.incident({ status: 'TRIAGED' });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId });
    await settled(r.id, 'WAITING');
    await updateIncidentStatus(h.deps, responder, { id: incidentId, status: 'CONTAINED' });
    await h.jobs.enqueue('incident.changed', { incidentId, change: 'STATUS', actor: `user:${responder.id}`, alertIds: [], at: Date.now() });
    const done = await settled(r.id, 'SUCCEEDED');
    expect(done.state.steps[0]!.status).toBe('SUCCEEDED');
  });

  it('cancels a waiting run: it ends CANCELED, audited, and subscribers hear it finished', async () => {
    const pb = await createPlaybook(h.deps, admin, { source: 'name: long-wait\nsteps:\n  - { id: hold, type: wait, duration: 1h }\n  - { id: after, type: notify_webhook, event: playbook.done }\n' });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    await settled(r.id, 'WAITING');
    await expect(startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: r.incidentId })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already running/) });
    const canceled = await cancelPlaybookRun(h.deps, responder, { runId: r.id, reason: 'false positive' });
    expect(canceled.status).toBe('CANCELED');
    await eventually(async () => receiver.accepted('playbook.run.finished').some((x) => (x.body.data.run as { id: string }).id === r.id), 'the run-finished webhook');
    const finished = receiver.accepted('playbook.run.finished').find((x) => (x.body.data.run as { id: string }).id === r.id)!;
    expect((finished.body.data.run as { status: string }).status).toBe('CANCELED');
    expect(stepStatuses((await run(r.id)).state)).toEqual({ hold: 'WAITING', after: 'PENDING' });
    expect(await h.tdb.db.auditLog.count({ where: { targetId: r.id, action: 'playbook.cancel' } })).toBe(1);
    await expect(cancelPlaybookRun(h.deps, responder, { runId: r.id })).resolves.toMatchObject({ status: 'CANCELED' });
  });

  it('starts an auto-triggered playbook once per incident, and not for incidents below its trigger', async () => {
    await createPlaybook(h.deps, admin, {
      source: 'name: auto-worm\ntrigger: { rules: [WORM_FAN_OUT], minSeverity: HIGH, auto: true }\nsteps:\n  - { id: tell, type: notify_webhook, event: playbook.done }\n',
    });
    const hot = await h.incident({ severity: 'CRITICAL' });
    const mild = await h.incident({ severity: 'MEDIUM' });
    for (const change of ['CREATED', 'UPDATED', 'UPDATED'] as const) {
      for (const incidentId of [hot, mild]) await h.jobs.enqueue('incident.changed', { incidentId, change, actor: 'system:detection', alertIds: [], at: Date.now() });
    }
    const [r] = await eventually(async () => {
      const runs = await h.tdb.db.playbookRun.findMany({ where: { incidentId: hot } });
      return runs.length ? runs : null;
    }, 'the triggered run');
    expect(r).toMatchObject({ trigger: 'AUTO', actor: 'system:playbooks', playbookName: 'auto-worm' });
    await settled(r!.id, 'SUCCEEDED');
    await new Promise((res) => setTimeout(res, 500));
    expect(await h.tdb.db.playbookRun.count({ where: { incidentId: hot } })).toBe(1);
    expect(await h.tdb.db.playbookRun.count({ where: { incidentId: mild } })).toBe(0);
    expect(await h.tdb.db.auditLog.count({ where: { targetId: r!.id, action: 'playbook.run', actorType: 'SYSTEM' } })).toBe(1);
  });

  it('starts an emergency patch of the planned devices once, even when the step runs again', async () => {
    const fleet = await createRolloutFleet(h.deps, 4, { prefix: 'patch' });
    await upsertAdvisory(h.deps, admin, { externalId: 'CVE-2026-4242', severity: 'HIGH', affected: [{ modelId: fleet.modelId, introduced: null, fixed: '1.1.0', lastAffected: null }] });
    const infected = fleet.devices.slice(0, 2).map((d) => d.id);
    const pb = await createPlaybook(h.deps, admin, { source: 'name: patch-now\nsteps:\n  - { id: patch, type: emergency_rollout, targets: incident.devices }\n' });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident({ deviceIds: infected }) });
    const done = await settled(r.id, 'SUCCEEDED');
    const result = done.state.steps[0]!.result as { rolloutIds: string[]; targets: number; summary: string };
    expect(result).toMatchObject({ targets: 2, summary: 'emergency patch of 2 devices in 1 rollout', advisories: ['CVE-2026-4242'] });
    const rollout = await h.tdb.db.rollout.findUniqueOrThrow({ where: { id: result.rolloutIds[0]! }, include: { actions: true, release: true } });
    expect(rollout).toMatchObject({ emergency: true, status: 'RUNNING', approvedBy: `playbook-run:${r.id}`, release: { version: '1.1.0' } });
    expect(rollout.actions.map((a) => a.deviceId).sort()).toEqual([...infected].sort());
    const patchLine = await h.tdb.db.incidentTimelineEntry.findFirst({ where: { incidentId: r.incidentId, type: 'ROLLOUT' } });
    expect(patchLine).toMatchObject({ actor: `playbook-run:${r.id}` });

    // The same step again (a worker that died before recording success): the first call's rollout, nothing new.
    const step = done.state.steps[0]!;
    const again = await emergencyRolloutStep({ ...h.deps, evaluateDebounceMs: 25 }, {
      runId: r.id, playbook: 'patch-now', incident: await h.tdb.db.incident.findUniqueOrThrow({ where: { id: r.incidentId } }), planned: step.plan as never,
      idempotencyKey: step.plan.idempotencyKey, attempt: 2, run: done.state, actor: runActor(r.id), reason: 'test',
    });
    expect(again.result).toMatchObject({ rolloutIds: result.rolloutIds, replayed: true });
    expect(await h.tdb.db.rollout.count({ where: { releaseId: rollout.releaseId } })).toBe(1);
  });

  it('quarantines and rotates the incident devices once, leaving fail-safe devices connected', async () => {
    const model = await h.tdb.db.deviceModel.create({ data: { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' } });
    const mk = (serial: string, failSafe = false) =>
      h.tdb.db.device.create({ data: { serial, controllerId: serial, name: serial, kind: 'LIGHT', modelId: model.id, segmentId: h.segmentId, status: 'ACTIVE', failSafe } });
    const [a, b, cam] = [await mk('bulb-a'), await mk('bulb-b'), await mk('cam-1', true)];
    await h.tdb.db.$transaction((tx) => issueCredentials(h.deps, tx, SYSTEM_ACTOR, [a.id, b.id, cam.id], 'issue'));
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: contain\nsteps:\n  - { id: cut-off, type: quarantine, targets: incident.devices, expiresIn: 4h }\n  - { id: new-tokens, type: rotate_credentials, targets: incident.devices }\n',
    });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident({ deviceIds: [a.id, b.id, cam.id] }) });
    const done = await settled(r.id, 'SUCCEEDED');
    expect(done.state.steps[0]!.plan.excluded).toEqual([{ id: cam.id, reason: 'FAIL_SAFE' }]);
    expect((done.state.steps[0]!.result as { summary: string }).summary).toBe('quarantined 2 devices');
    expect((done.state.steps[1]!.result as { summary: string }).summary).toBe('rotated the credentials of 3 devices');
    const devices = await h.tdb.db.device.findMany({ where: { id: { in: [a.id, b.id, cam.id] } }, select: { serial: true, status: true } });
    expect(Object.fromEntries(devices.map((d) => [d.serial, d.status]))).toEqual({ 'bulb-a': 'QUARANTINED', 'bulb-b': 'QUARANTINED', 'cam-1': 'ACTIVE' });
    const containments = await h.tdb.db.containment.findMany({ where: { incidentId: r.incidentId }, orderBy: { createdAt: 'asc' } });
    expect(containments.map((c) => [c.kind, c.actor])).toEqual(expect.arrayContaining([['QUARANTINE_DEVICES', `playbook-run:${r.id}`], ['ROTATE_CREDENTIALS', `playbook-run:${r.id}`]]));
    expect(containments.filter((c) => c.kind === 'QUARANTINE_DEVICES').every((c) => c.expiresAt !== null)).toBe(true);
    expect(await h.tdb.db.deviceCredential.count({ where: { deviceId: a.id, revokedAt: null } })).toBe(1);
    // The incident is not contained while a fail-safe device of it is still connected.
    expect((await h.tdb.db.incident.findUniqueOrThrow({ where: { id: r.incidentId } })).status).not.toBe('CONTAINED');
    // Audited as the run, with the system actor type (the person who started it is on playbook.run).
    const audit = await h.tdb.db.auditLog.findMany({ where: { actorName: `playbook-run:${r.id}`, action: { startsWith: 'containment.' } } });
    expect(audit.every((x) => x.actorType === 'SYSTEM')).toBe(true);
    expect(audit.filter((x) => x.action === 'containment.quarantine')).toHaveLength(2); // the plan left the camera out
    expect(audit.filter((x) => x.action === 'containment.rotate')).toHaveLength(3);

    // The quarantine step again under its key (a resumed step): the same containments, nothing new.
    const count = await h.tdb.db.containment.count();
    const again = await containmentStep({ ...h.deps, redisPrefix: h.config.redisPrefix }, {
      runId: r.id, playbook: 'contain', incident: await h.tdb.db.incident.findUniqueOrThrow({ where: { id: r.incidentId } }), planned: done.state.steps[0]!.plan as never,
      idempotencyKey: done.state.steps[0]!.plan.idempotencyKey, attempt: 2, run: done.state, actor: runActor(r.id), reason: 'test',
    });
    expect(again.result).toMatchObject({ replayed: true, containmentIds: (done.state.steps[0]!.result as { containmentIds: string[] }).containmentIds });
    expect(await h.tdb.db.containment.count()).toBe(count);
  });

  it('does not retry a notification the URL policy refuses; onFailure: continue lets the run go on', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: refused-url\nsteps:\n  - { id: meta, type: notify_webhook, url: "http://169.254.169.254/latest", secret: soc, onFailure: continue }\n  - { id: after, type: notify_webhook, event: playbook.done }\n',
    });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    const done = await settled(r.id, 'SUCCEEDED');
    expect(stepStatuses(done.state)).toEqual({ meta: 'FAILED', after: 'SUCCEEDED' });
    expect(done.state.steps[0]).toMatchObject({ attempts: 1, error: expect.stringMatching(/^1 of 1 webhook failed: soc: url: refused: 169.254.169.254 is a linkLocal address/) });
    const [d] = await h.tdb.db.webhookDelivery.findMany({ where: { runId: r.id, event: 'playbook.step' } });
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1, lastStatusCode: null });
  });

  it('isolates the incident segment and blocks a destination, each a recorded containment of the run', async () => {
    const pb = await createPlaybook(h.deps, admin, {
      source: 'name: wall-off\nsteps:\n  - { id: isolate, type: isolate_segment, targets: incident.segments, expiresIn: 1h }\n  - { id: block, type: block_destination, destinations: ["198.51.100.7", "203.0.113.0/24"] }\n',
    });
    const r = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    const done = await settled(r.id, 'SUCCEEDED');
    // An earlier test marked a device of this segment fail-safe: isolated all the same, it stays connected.
    expect(done.state.steps.map((s) => (s.result as { summary: string }).summary)).toEqual([
      expect.stringMatching(/^isolated 1 segment( \(1 left alone: FAIL_SAFE\))?$/),
      'blocked 2 destinations',
    ]);
    const rows = await h.tdb.db.containment.findMany({ where: { incidentId: r.incidentId }, orderBy: { kind: 'asc' } });
    expect(rows.map((c) => [c.kind, c.segmentId ?? c.destination, c.actor, c.status])).toEqual(expect.arrayContaining([
      ['ISOLATE_SEGMENT', h.segmentId, `playbook-run:${r.id}`, 'PENDING'],
      ['BLOCK_DESTINATION', '198.51.100.7/32', `playbook-run:${r.id}`, 'PENDING'],
      ['BLOCK_DESTINATION', '203.0.113.0/24', `playbook-run:${r.id}`, 'PENDING'],
    ]));
    expect(rows).toHaveLength(3);
  });
});

import { SYSTEM_ACTOR, type CoreDeps, type Role } from '@warden/core';
import { advancePlaybookRun, createPlaybook, startPlaybookRun, type PlaybookDeps } from '@warden/core/playbooks';
import { createWebhookSubscription, webhookSettings } from '@warden/core/webhooks';
import { createJobQueue, type Redis } from '@warden/runtime';
import type { Config } from '@warden/config';

interface ApiLike {
  deps: CoreDeps;
  config: Config;
  redis: Redis;
}

const RESPONDER = { ...SYSTEM_ACTOR, role: 'RESPONDER' as const };

/** Playbooks, runs and webhook subscriptions for API tests (built through core as SYSTEM). */
export function playbookFixtures(api: ApiLike) {
  const jobs = createJobQueue(api.redis, api.config.redisPrefix);
  const deps: PlaybookDeps = { ...api.deps, jobs, webhooks: webhookSettings(api.config.webhooks), playbooks: { waitPollMs: 1000 } };
  let n = 0;

  /** An OPEN incident (detection opens them in production). */
  async function incident(over: { deviceIds?: string[]; segmentId?: string | null } = {}): Promise<string> {
    const id = crypto.randomUUID();
    const at = new Date();
    await api.deps.db.incident.create({
      data: { id, correlationKey: `device:${id}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'scan', severity: 'HIGH', firstAlertAt: at, lastAlertAt: at, deviceIds: over.deviceIds ?? [], segmentId: over.segmentId ?? null },
    });
    return id;
  }

  async function playbook(steps = '  - { id: hold, type: wait, duration: 1h }\n'): Promise<string> {
    return (await createPlaybook(api.deps, SYSTEM_ACTOR, { source: `name: fixture-${++n}\nsteps:\n${steps}` })).id;
  }

  /** A run whose first step awaits a RESPONDER's approval (advanced in-process, no worker). */
  async function awaitingApproval(): Promise<string> {
    const id = await playbook('  - { id: go, type: require_approval, message: "Go?", timeout: 1h }\n  - { id: hold, type: wait, duration: 1h }\n');
    const run = await startPlaybookRun(deps, RESPONDER, { playbookId: id, incidentId: await incident() });
    await advancePlaybookRun(deps, {}, run.id);
    return run.id;
  }

  async function subscription(): Promise<string> {
    return (await createWebhookSubscription(deps, SYSTEM_ACTOR, { name: `sub-${++n}`, url: 'https://soc.example.com/hooks/warden', events: ['incident.opened'] })).subscription.id;
  }

  const mutations: { name: string; role: Role; action: string; call: () => Promise<[string, Record<string, unknown>]> }[] = [
    {
      name: 'createPlaybook', role: 'ADMIN', action: 'playbook.create',
      call: async () => ['mutation($s: String!) { createPlaybook(source: $s) { id version } }', { s: `name: made-${++n}\nsteps:\n  - { id: w, type: wait, duration: 1m }\n` }],
    },
    {
      name: 'updatePlaybook', role: 'ADMIN', action: 'playbook.update',
      call: async () => {
        const id = await playbook();
        const row = await api.deps.db.playbook.findUniqueOrThrow({ where: { id } });
        return ['mutation($id: ID!, $s: String!) { updatePlaybook(id: $id, source: $s) { version } }', { id, s: `${row.source}  - { id: more, type: wait, duration: 2m }\n` }];
      },
    },
    { name: 'deletePlaybook', role: 'ADMIN', action: 'playbook.delete', call: async () => ['mutation($id: ID!) { deletePlaybook(id: $id) { id } }', { id: await playbook() }] },
    { name: 'setPlaybookEnabled', role: 'ADMIN', action: 'playbook.setEnabled', call: async () => ['mutation($id: ID!) { setPlaybookEnabled(id: $id, enabled: false) { enabled } }', { id: await playbook() }] },
    {
      name: 'runPlaybook', role: 'RESPONDER', action: 'playbook.run',
      call: async () => ['mutation($p: ID!, $i: ID!) { runPlaybook(playbookId: $p, incidentId: $i) { id status } }', { p: await playbook(), i: await incident() }],
    },
    {
      name: 'approvePlaybookStep', role: 'RESPONDER', action: 'playbook.approve',
      call: async () => ['mutation($r: ID!) { approvePlaybookStep(runId: $r, stepId: "go") { status } }', { r: await awaitingApproval() }],
    },
    {
      name: 'cancelPlaybookRun', role: 'RESPONDER', action: 'playbook.cancel',
      call: async () => {
        const run = await startPlaybookRun(deps, RESPONDER, { playbookId: await playbook(), incidentId: await incident() });
        return ['mutation($r: ID!) { cancelPlaybookRun(runId: $r, reason: "test") { status } }', { r: run.id }];
      },
    },
    {
      name: 'createWebhookSubscription', role: 'ADMIN', action: 'webhook.create',
      call: async () => ['mutation($n: String!) { createWebhookSubscription(input: {name: $n, url: "https://soc.example.com/h", events: ["*"]}) { secret } }', { n: `made-${++n}` }],
    },
    {
      name: 'updateWebhookSubscription', role: 'ADMIN', action: 'webhook.update',
      call: async () => ['mutation($id: ID!) { updateWebhookSubscription(id: $id, input: {enabled: false}) { enabled } }', { id: await subscription() }],
    },
    { name: 'deleteWebhookSubscription', role: 'ADMIN', action: 'webhook.delete', call: async () => ['mutation($id: ID!) { deleteWebhookSubscription(id: $id) { id } }', { id: await subscription() }] },
    { name: 'rotateWebhookSecret', role: 'ADMIN', action: 'webhook.rotateSecret', call: async () => ['mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: await subscription() }] },
    { name: 'testWebhookSubscription', role: 'ADMIN', action: 'webhook.test', call: async () => ['mutation($id: ID!) { testWebhookSubscription(id: $id) { id status } }', { id: await subscription() }] },
  ];

  return { deps, incident, playbook, awaitingApproval, subscription, mutations, close: () => jobs.close() };
}

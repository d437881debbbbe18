import { describe, expect, it } from 'vitest';
import { WORM_OUTBREAK_PLAYBOOK } from './builtin.js';
import { parsePlaybook } from './parse.js';
import { planPlaybook } from './planner.js';
import { NOW, incident, resolved } from './test-fixtures.js';
import { triggeredPlaybooks } from './triggers.js';

describe('the built-in worm-outbreak playbook', () => {
  const p = parsePlaybook(WORM_OUTBREAK_PLAYBOOK);

  it('quarantines and rotates the infected devices, patches blast-radius tiers 1-2, then notifies', () => {
    expect(p.steps.map((s) => `${s.id}:${s.type}`)).toEqual(['quarantine-infected:quarantine', 'rotate-credentials:rotate_credentials', 'patch-exposed:emergency_rollout', 'notify:notify_webhook']);
    const plan = planPlaybook(p, incident(), resolved({ webhookSubscribers: { 'playbook.worm-outbreak': ['soc'] } }), 'run-1', NOW);
    expect(plan.steps.map((s) => [s.id, s.touches.devices])).toEqual([
      ['quarantine-infected', ['bulb-1']],
      ['rotate-credentials', ['cam-1', 'bulb-1']],
      ['patch-exposed', ['bulb-2', 'badge-1', 'tv-1']],
      ['notify', []],
    ]);
    expect(plan.steps[3]!.touches.webhook).toEqual({ url: null, event: 'playbook.worm-outbreak', secret: null, subscribers: ['soc'] });
  });

  it('starts by itself on a HIGH worm incident, not on a MEDIUM one or another rule', () => {
    expect(triggeredPlaybooks([p], incident({ severity: 'HIGH' }), NOW)).toHaveLength(1);
    expect(triggeredPlaybooks([p], incident({ severity: 'MEDIUM' }), NOW)).toHaveLength(0);
    expect(triggeredPlaybooks([p], incident({ rules: ['AUTH_FAILURE_BURST'] }), NOW)).toHaveLength(0);
  });
});

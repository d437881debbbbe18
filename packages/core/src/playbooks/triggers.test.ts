import { describe, expect, it } from 'vitest';
import { parsePlaybook } from './parse.js';
import { NOW, WORM_PLAYBOOK, incident } from './test-fixtures.js';
import { autoRunId, triggeredPlaybooks } from './triggers.js';

const worm = parsePlaybook(WORM_PLAYBOOK); // auto on WORM_FAN_OUT, HIGH and above
const manual = parsePlaybook({ name: 'manual', steps: [{ id: 'w', type: 'wait', duration: '1s' }] });
const any = parsePlaybook({ name: 'any-critical', trigger: { auto: true, minSeverity: 'CRITICAL' }, steps: [{ id: 'w', type: 'wait', duration: '1s' }] });
const names = (over = {}) => triggeredPlaybooks([worm, manual, any], incident(over), NOW).map((t) => t.playbook.name);

describe('automatic playbook triggers', () => {
  it('starts the playbooks whose rules and severity match', () => {
    expect(names()).toEqual(['worm-outbreak']);
    expect(names({ severity: 'CRITICAL' })).toEqual(['worm-outbreak', 'any-critical']);
  });

  it('does not start for another rule, a lower severity, or a manual playbook', () => {
    expect(names({ rules: ['AUTH_FAILURE_BURST'] })).toEqual([]);
    expect(names({ severity: 'MEDIUM' })).toEqual([]);
  });

  it('gives one run id per playbook and incident', () => {
    const [t] = triggeredPlaybooks([worm], incident(), NOW);
    expect(t!.runId).toBe(autoRunId('worm-outbreak', 'inc-1'));
    expect(autoRunId('worm-outbreak', 'inc-2')).not.toBe(t!.runId);
  });
});

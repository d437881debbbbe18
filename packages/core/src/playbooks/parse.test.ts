import { describe, expect, it } from 'vitest';
import { parsePlaybook } from './parse.js';
import { WORM_PLAYBOOK } from './test-fixtures.js';
import type { ValidationError } from '../errors.js';

function issues(source: string | object) {
  try {
    parsePlaybook(source);
  } catch (e) {
    return (e as ValidationError).details?.issues as { path: string; message: string; line?: number }[];
  }
  throw new Error('expected the playbook to be refused');
}

describe('playbook parsing and validation', () => {
  it('reads the YAML form with defaults, parsed selectors and durations', () => {
    const p = parsePlaybook(WORM_PLAYBOOK);
    expect(p.name).toBe('worm-outbreak');
    expect(p.trigger).toEqual({ rules: ['WORM_FAN_OUT'], minSeverity: 'HIGH', auto: true });
    expect(p.steps.map((s) => s.type)).toEqual([
      'quarantine', 'rotate_credentials', 'block_destination', 'require_approval', 'emergency_rollout', 'wait', 'isolate_segment', 'notify_webhook',
    ]);
    expect(p.steps[0]).toMatchObject({ targets: { from: 'incident.devices' }, expiresIn: 14_400_000, overrideFailSafe: false, onFailure: 'abort', maxAttempts: 3 });
    expect(p.steps[4]).toMatchObject({ targets: { from: 'blast_radius', maxTier: 3, exactTier: false }, release: 'fixed' });
    expect(p.steps[5]).toMatchObject({ timeout: 3_600_000 });
  });

  it('reads the same playbook as JSON text or as an object', () => {
    const fromYaml = parsePlaybook(WORM_PLAYBOOK);
    const json = JSON.stringify({ name: 'p', steps: [{ id: 'q', type: 'quarantine', targets: 'blast_radius.tier:1' }] });
    expect(parsePlaybook(json).steps[0]).toMatchObject({ targets: { from: 'blast_radius', maxTier: 1, exactTier: true } });
    expect(parsePlaybook(JSON.parse(JSON.stringify({ ...fromYaml, steps: [{ id: 'w', type: 'wait', duration: '90s' }] }))).steps[0]).toMatchObject({ duration: 90_000 });
  });

  it('names every problem by path, with the step id and the line', () => {
    const found = issues(`name: p
steps:
  - id: patch
    type: emergency_rollout
    targets: tier1
  - id: nope
    type: reboot
  - id: w
    type: wait
    until: { field: incident.status, op: gte, value: CONTAINED }
  - id: q
    type: quarantine
    targets: incident.devices
    expiresIn: soon
    when: { field: incident.severity, op: gte, value: SEVERE }
  - id: n
    type: notify_webhook
    url: ftp://x
    secret: s
`);
    expect(found.map((i) => `${i.path}@${i.line}`).sort()).toEqual([
      'steps[0] (patch).targets@5',
      'steps[1] (nope).type@7',
      'steps[2] (w).timeout@8',
      'steps[3] (q).expiresIn@14',
      'steps[3] (q).when.value@15',
      'steps[4] (n).url@18',
    ]);
    const message = (path: string) => found.find((i) => i.path === path)!.message;
    expect(message('steps[0] (patch).targets')).toMatch(/"tier1" is not a device selector; use incident.devices, blast_radius.tier:N/);
    expect(message('steps[1] (nope).type')).toMatch(/type must be one of quarantine, isolate_segment/);
    expect(message('steps[3] (q).expiresIn')).toMatch(/"soon" is not a duration/);
    expect(message('steps[3] (q).when.value')).toBe('a severity: LOW, MEDIUM, HIGH, CRITICAL');
  });

  it('notifies one URL signed with a named subscription, or the subscribers of a playbook event', () => {
    const p = parsePlaybook({ name: 'n', steps: [{ id: 'a', type: 'notify_webhook', url: 'https://x.example/h', secret: 'soc' }, { id: 'b', type: 'notify_webhook', event: 'playbook.worm' }] });
    expect(p.steps[0]).toMatchObject({ url: 'https://x.example/h', secret: 'soc', event: 'playbook.step' });
    expect(p.steps[1]).toMatchObject({ event: 'playbook.worm' });
    expect(issues({ name: 'n', steps: [{ id: 'a', type: 'notify_webhook', url: 'https://x.example/h' }] })[0]).toMatchObject({ path: 'steps[0] (a).secret', message: expect.stringMatching(/a url needs secret/) });
    expect(issues({ name: 'n', steps: [{ id: 'a', type: 'notify_webhook', secret: 'soc' }] })[0]).toMatchObject({ path: 'steps[0] (a).url' });
    expect(issues({ name: 'n', steps: [{ id: 'a', type: 'notify_webhook', event: 'soc.page' }] })[0]).toMatchObject({ path: 'steps[0] (a).event', message: expect.stringMatching(/must be playbook/) });
  });

  it('refuses duplicate step ids', () => {
    const steps = [{ id: 'q', type: 'wait', duration: '1s' }, { id: 'q', type: 'wait', duration: '2s' }];
    expect(issues({ name: 'p', steps })).toEqual([{ path: 'steps[1] (q).id', message: 'duplicate step id "q" (also steps[0])', line: undefined }]);
  });

  it('refuses unknown fields, bad conditions and a wait with both or neither of duration and until', () => {
    expect(issues({ name: 'p', steps: [{ id: 'q', type: 'quarantine', targets: 'incident.devices', taregts: 'x' }] })[0]!.message).toMatch(/taregts/);
    expect(issues({ name: 'p', steps: [{ id: 'w', type: 'wait' }] })[0]!.message).toBe('a wait has either duration or until');
    expect(issues({ name: 'p', when: { field: 'incident.rules', op: 'gte', value: 'X' }, steps: [{ id: 'w', type: 'wait', duration: '1s' }] })[0]).toMatchObject({
      path: 'when.value',
      message: 'incident.rules is a list: use contains',
    });
    expect(issues({ name: 'p', when: { field: 'incident.color', op: 'eq', value: 1 }, steps: [{ id: 'w', type: 'wait', duration: '1s' }] })[0]!.path).toBe('when.field');
    expect(issues({ name: 'Bad Name', steps: [] }).map((i) => i.path)).toEqual(['name', 'steps']);
  });

  it('reports broken YAML with its line, and duplicate keys', () => {
    expect(issues('name: p\nsteps: [\n')[0]).toMatchObject({ path: '(document)' });
    expect(issues('name: p\nname: q\nsteps: []\n')[0]).toMatchObject({ path: '(document)', line: 2 });
  });

  it('throws a ValidationError (BAD_USER_INPUT) whose message lists the problems', () => {
    expect(() => parsePlaybook('name: p\nsteps:\n  - id: x\n    type: isolate_segment\n    targets: incident.devices\n')).toThrowError(
      expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^invalid playbook: steps\[0\] \(x\)\.targets: targets of isolate_segment: incident.segments \(line 5\)$/) }),
    );
  });
});

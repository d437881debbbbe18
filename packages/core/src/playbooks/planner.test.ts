import { describe, expect, it } from 'vitest';
import { parsePlaybook } from './parse.js';
import { planPlaybook } from './planner.js';
import { NOW, WORM_PLAYBOOK, incident, resolved } from './test-fixtures.js';

const playbook = parsePlaybook(WORM_PLAYBOOK);
const plan = (over = {}, sel = {}) => planPlaybook(playbook, incident(over), resolved(sel), 'run-1', NOW);
const step = (p: ReturnType<typeof plan>, id: string) => p.steps.find((s) => s.id === id)!;

describe('playbook dry run', () => {
  const p = plan();

  it('says exactly what each step would touch', () => {
    expect(step(p, 'quarantine-infected').touches.devices).toEqual(['bulb-1']);
    expect(step(p, 'rotate').touches.devices).toEqual(['cam-1', 'bulb-1']);
    expect(step(p, 'block-c2').touches.destinations).toEqual(['198.51.100.7']);
    expect(step(p, 'approve-patch').touches.approval).toEqual({ role: 'RESPONDER', message: 'Push the fixed firmware to the exposed devices?', timeoutMs: 1_800_000 });
    expect(step(p, 'wait-contained').touches.wait).toMatchObject({ timeoutMs: 3_600_000, until: { field: 'incident.status', op: 'gte', value: 'CONTAINED' } });
    expect(step(p, 'tell-soc').touches.webhook).toEqual({ url: 'https://soc.example.com/hooks/warden', event: 'playbook.step', secret: 'soc-webhook', subscribers: ['soc-webhook'] });
    expect(p.totals).toEqual({ devices: 7, segments: 0, destinations: 1 });
  });

  it('leaves fail-safe devices out of a quarantine unless the step overrides it', () => {
    expect(step(p, 'quarantine-infected').excluded).toEqual([{ id: 'cam-1', reason: 'FAIL_SAFE' }]);
    const overridden = parsePlaybook({ name: 'p', steps: [{ id: 'q', type: 'quarantine', targets: 'incident.devices', overrideFailSafe: true }] });
    expect(planPlaybook(overridden, incident(), resolved(), 'r', NOW).steps[0]!.touches.devices).toEqual(['cam-1', 'bulb-1']);
  });

  it('patches only OTA-capable devices, most exposed first', () => {
    const patch = step(p, 'patch');
    expect(patch.touches.devices).toEqual(['bulb-2', 'badge-1', 'tv-1', 'cam-2', 'cam-3']);
    expect(patch.excluded).toEqual([{ id: 'old-1', reason: 'NOT_OTA_CAPABLE' }]);
  });

  it('selects one tier or all tiers up to N', () => {
    const pb = parsePlaybook({ name: 'p', steps: [{ id: 'a', type: 'rotate_credentials', targets: 'blast_radius.tier:3' }, { id: 'b', type: 'rotate_credentials', targets: 'blast_radius.tier<=2' }] });
    const out = planPlaybook(pb, incident(), resolved(), 'r', NOW);
    expect(out.steps[0]!.touches.devices).toEqual(['cam-2', 'cam-3', 'old-1']);
    expect(out.steps[1]!.touches.devices).toEqual(['bulb-2', 'badge-1', 'tv-1']);
  });

  it('skips a step whose condition is false, and every step when the playbook condition is false', () => {
    expect(step(p, 'isolate-if-spreading')).toMatchObject({ decision: 'SKIP', skip: { code: 'STEP_CONDITION' } });
    expect(step(plan({ blastRadius: { 1: 12, 2: 0, 3: 0, 4: 0 } }), 'isolate-if-spreading')).toMatchObject({ decision: 'RUN', touches: { segments: ['seg-iot'] } });
    const low = plan({ severity: 'MEDIUM' });
    expect(low.applies).toBe(false);
    expect(low.steps.every((s) => s.decision === 'SKIP' && s.skip?.code === 'PLAYBOOK_CONDITION')).toBe(true);
    expect(low.totals).toEqual({ devices: 0, segments: 0, destinations: 0 });
  });

  it('skips a targeted step with nothing to act on; isolates a segment holding fail-safe devices (they stay connected)', () => {
    const q = plan({}, { incidentDestinations: [] });
    expect(step(q, 'block-c2')).toMatchObject({ decision: 'SKIP', skip: { code: 'NOTHING_TO_DO' } });
    const guarded = plan({ blastRadius: { 1: 12, 2: 0, 3: 0, 4: 0 } }, { failSafeSegments: ['seg-iot'] });
    expect(step(guarded, 'isolate-if-spreading')).toMatchObject({ decision: 'RUN', touches: { segments: ['seg-iot'] } });
  });

  it('gives each step a deterministic idempotency key, distinct per step and per run', () => {
    const again = plan();
    expect(again.steps.map((s) => s.idempotencyKey)).toEqual(p.steps.map((s) => s.idempotencyKey));
    expect(new Set(p.steps.map((s) => s.idempotencyKey)).size).toBe(p.steps.length);
    const other = planPlaybook(playbook, incident(), resolved(), 'run-2', NOW);
    expect(other.steps[0]!.idempotencyKey).not.toBe(p.steps[0]!.idempotencyKey);
  });

  it('does not change its inputs', () => {
    const sel = resolved();
    const snapshot = JSON.stringify(sel);
    planPlaybook(playbook, incident(), sel, 'r', NOW);
    expect(JSON.stringify(sel)).toBe(snapshot);
  });
});

import { stableId } from '../detection/dedup.js';
import { evaluateCondition, type Condition, type IncidentSnapshot } from './conditions.js';
import type { DeviceSelector, Playbook, PlaybookStep, StepType } from './schema.js';

/**
 * What selectors resolve to for one incident, read by the caller before planning (the incident's
 * devices, segments and destinations, the blast radius by tier) plus the safety facts the plan
 * needs. Planning itself reads nothing.
 */
export interface ResolvedSelectors {
  incidentDevices: string[];
  incidentSegments: string[];
  incidentDestinations: string[];
  /** Device ids per blast-radius tier, most exposed first within a tier. */
  blastRadiusTiers: Record<1 | 2 | 3 | 4, string[]>;
  /** Devices marked fail-safe (badge readers, cameras): never cut off without an explicit override. */
  failSafeDevices: string[];
  /** Segments holding at least one fail-safe device. */
  failSafeSegments: string[];
  /** Devices that cannot be updated over the air (no emergency rollout for them). */
  unpatchableDevices: string[];
  /** Names of the enabled webhook subscriptions per event type (`*` subscribers under every type). */
  webhookSubscribers?: Record<string, string[]> | undefined;
}

export interface StepTouches {
  devices: string[];
  segments: string[];
  destinations: string[];
  /** A URL signed with the named subscription's secret, or (no url) the subscribers of `event`. */
  webhook?: { url: string | null; event: string; secret: string | null; subscribers: string[] } | undefined;
  wait?: { durationMs?: number | undefined; timeoutMs?: number | undefined; until?: Condition | undefined } | undefined;
  approval?: { role: 'RESPONDER' | 'ADMIN'; message: string; timeoutMs: number } | undefined;
}

export interface PlannedStep {
  index: number;
  id: string;
  type: StepType;
  /** Deterministic per run and step: executors apply a step once per key, so a resumed step does not repeat its effect. */
  idempotencyKey: string;
  /** Whether the step would run if the run started now (its condition is checked again when it comes up). */
  decision: 'RUN' | 'SKIP';
  skip?: { code: 'PLAYBOOK_CONDITION' | 'STEP_CONDITION' | 'NOTHING_TO_DO'; reason: string } | undefined;
  /** Exactly what the step would act on. */
  touches: StepTouches;
  /** Targets the selector named that the step leaves alone, and why. */
  excluded: { id: string; reason: 'FAIL_SAFE' | 'NOT_OTA_CAPABLE' }[];
  step: PlaybookStep;
}

export interface PlaybookPlan {
  playbook: string;
  incidentId: string;
  runId: string;
  /** False when the playbook's own condition fails: every step is skipped. */
  applies: boolean;
  steps: PlannedStep[];
  /** Distinct targets over the steps that would run. */
  totals: { devices: number; segments: number; destinations: number };
}

/** The idempotency key of a step of a run. */
export function stepIdempotencyKey(runId: string, index: number, stepId: string): string {
  return stableId(`playbook-run:${runId}:step:${index}:${stepId}`);
}

function selectDevices(sel: DeviceSelector, r: ResolvedSelectors): string[] {
  if (sel.from === 'incident.devices') return [...new Set(r.incidentDevices)];
  const tiers = sel.exactTier ? [sel.maxTier] : ([1, 2, 3, 4] as const).filter((t) => t <= sel.maxTier);
  return [...new Set(tiers.flatMap((t) => r.blastRadiusTiers[t]))];
}

function touchesOf(step: PlaybookStep, r: ResolvedSelectors): Pick<PlannedStep, 'touches' | 'excluded'> {
  const none: StepTouches = { devices: [], segments: [], destinations: [] };
  const excluded: PlannedStep['excluded'] = [];
  const failSafe = new Set(r.failSafeDevices);
  switch (step.type) {
    case 'quarantine': {
      const devices = selectDevices(step.targets, r).filter((id) => {
        if (step.overrideFailSafe || !failSafe.has(id)) return true;
        excluded.push({ id, reason: 'FAIL_SAFE' });
        return false;
      });
      return { touches: { ...none, devices }, excluded };
    }
    case 'rotate_credentials':
      return { touches: { ...none, devices: selectDevices(step.targets, r) }, excluded };
    case 'emergency_rollout': {
      const unpatchable = new Set(r.unpatchableDevices);
      // Incident devices first, then by blast-radius tier: most exposed patched first.
      const order = [...new Set([...r.incidentDevices, ...r.blastRadiusTiers[1], ...r.blastRadiusTiers[2], ...r.blastRadiusTiers[3], ...r.blastRadiusTiers[4]])];
      const rank = new Map(order.map((id, i) => [id, i]));
      const devices = selectDevices(step.targets, r)
        .filter((id) => {
          if (!unpatchable.has(id)) return true;
          excluded.push({ id, reason: 'NOT_OTA_CAPABLE' });
          return false;
        })
        .sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
      return { touches: { ...none, devices }, excluded };
    }
    case 'isolate_segment':
      // A segment holding fail-safe devices is still isolated: the isolation itself leaves those
      // devices connected (containment's `exempt`) unless the step overrides, as a manual one does.
      return { touches: { ...none, segments: [...new Set(r.incidentSegments)] }, excluded };
    case 'block_destination':
      return { touches: { ...none, destinations: [...new Set(step.destinations === 'incident.destinations' ? r.incidentDestinations : step.destinations)] }, excluded };
    case 'notify_webhook': {
      const subscribers = step.url ? [step.secret!] : [...new Set([...(r.webhookSubscribers?.[step.event] ?? []), ...(r.webhookSubscribers?.['*'] ?? [])])].sort();
      return { touches: { ...none, webhook: { url: step.url ?? null, event: step.event, secret: step.secret ?? null, subscribers } }, excluded };
    }
    case 'wait':
      return { touches: { ...none, wait: { durationMs: step.duration, timeoutMs: step.timeout, until: step.until } }, excluded };
    case 'require_approval':
      return { touches: { ...none, approval: { role: step.role, message: step.message, timeoutMs: step.timeout } }, excluded };
  }
}

const TARGETED = new Set<StepType>(['quarantine', 'isolate_segment', 'block_destination', 'rotate_credentials', 'emergency_rollout']);

/**
 * The dry run: for each step, exactly what it would touch now, with the targets it leaves out and
 * why. Pure; the same inputs give the same plan, and the run executes the plan it stored.
 */
export function planPlaybook(playbook: Playbook, incident: IncidentSnapshot, resolved: ResolvedSelectors, runId: string, now: number): PlaybookPlan {
  const applies = playbook.when ? evaluateCondition(playbook.when, incident, now) : true;
  const steps = playbook.steps.map((step, index): PlannedStep => {
    const { touches, excluded } = touchesOf(step, resolved);
    let skip: PlannedStep['skip'];
    if (!applies) skip = { code: 'PLAYBOOK_CONDITION', reason: 'the playbook condition is false' };
    else if (step.when && !evaluateCondition(step.when, incident, now)) skip = { code: 'STEP_CONDITION', reason: 'the step condition is false' };
    else if (TARGETED.has(step.type) && touches.devices.length + touches.segments.length + touches.destinations.length === 0) {
      skip = { code: 'NOTHING_TO_DO', reason: 'nothing to act on' };
    }
    return {
      index,
      id: step.id,
      type: step.type,
      idempotencyKey: stepIdempotencyKey(runId, index, step.id),
      decision: skip ? 'SKIP' : 'RUN',
      skip,
      touches,
      excluded,
      step,
    };
  });
  const running = steps.filter((s) => s.decision === 'RUN');
  const distinct = (k: 'devices' | 'segments' | 'destinations') => new Set(running.flatMap((s) => s.touches[k])).size;
  return {
    playbook: playbook.name,
    incidentId: incident.id,
    runId,
    applies,
    steps,
    totals: { devices: distinct('devices'), segments: distinct('segments'), destinations: distinct('destinations') },
  };
}

import { requestContainment, type ContainmentDeps, type ContainmentRequest, type ContainmentResult } from '../containment/index.js';
import type { ActingStepType, StepEffect, StepExecution } from './executors.js';
import type { PlaybookStep } from './schema.js';

type ContainmentStep = Extract<ActingStepType, 'quarantine' | 'isolate_segment' | 'block_destination' | 'rotate_credentials'>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Containment steps, through `requestContainment` with the step's idempotency key as the request
 * key (one request per segment or destination, keyed by it too): a step that runs again after a
 * crash gets back the containments the first attempt recorded, and changes nothing.
 *
 * A playbook's rotate_credentials issues new tokens that nobody sees (they are shown once, to the
 * caller, and a run has no one to show them to): the devices must be provisioned again, as after a
 * revocation. Credentials do not come back in the step's result.
 */
export async function containmentStep<T extends ContainmentStep>(deps: ContainmentDeps, x: StepExecution<T>): Promise<StepEffect> {
  const step = x.planned.step as Extract<PlaybookStep, { type: ContainmentStep }>;
  const t = x.planned.touches;
  const reason = ('reason' in step && step.reason ? `${step.reason} (${x.reason})` : x.reason).slice(0, 2000);
  const expiresInSeconds = 'expiresIn' in step && step.expiresIn ? Math.ceil(step.expiresIn / 1000) : null;
  const overrideFailSafe = 'overrideFailSafe' in step ? step.overrideFailSafe : false;
  const common = { reason, incidentId: x.incident.id, overrideFailSafe };
  const requests: { key: string; request: ContainmentRequest }[] = [];
  switch (step.type) {
    case 'quarantine':
      requests.push({ key: x.idempotencyKey, request: { ...common, kind: 'QUARANTINE_DEVICES', deviceIds: t.devices, expiresInSeconds } });
      break;
    case 'rotate_credentials':
      requests.push({ key: x.idempotencyKey, request: { ...common, kind: step.mode === 'revoke' ? 'REVOKE_CREDENTIALS' : 'ROTATE_CREDENTIALS', deviceIds: t.devices } });
      break;
    case 'isolate_segment':
      for (const segmentId of t.segments) requests.push({ key: `${x.idempotencyKey}.segment.${segmentId}`, request: { ...common, kind: 'ISOLATE_SEGMENT', segmentId, expiresInSeconds } });
      break;
    case 'block_destination':
      for (const destination of t.destinations) requests.push({ key: `${x.idempotencyKey}.destination.${destination}`, request: { ...common, kind: 'BLOCK_DESTINATION', destination, expiresInSeconds } });
      break;
  }
  const results: ContainmentResult[] = [];
  for (const r of requests) results.push(await requestContainment(deps, x.actor, { ...r.request, requestKey: r.key }));
  const applied = results.flatMap((r) => r.containments);
  const skipped = results.flatMap((r) => r.skipped);
  const what = {
    quarantine: () => `quarantined ${plural(applied.length, 'device')}`,
    rotate_credentials: () => `${step.type === 'rotate_credentials' && step.mode === 'revoke' ? 'revoked' : 'rotated'} the credentials of ${plural(applied.length, 'device')}`,
    isolate_segment: () => `isolated ${plural(applied.length, 'segment')}`,
    block_destination: () => `blocked ${plural(applied.length, 'destination')}`,
  }[step.type]();
  const last = results.at(-1);
  return {
    summary: `${what}${skipped.length ? ` (${skipped.length} left alone: ${[...new Set(skipped.map((s) => s.reason))].join(', ')})` : ''}`,
    result: {
      requestIds: results.map((r) => r.requestId),
      containmentIds: applied.map((c) => c.id),
      skipped: skipped.slice(0, 100).map((s) => ({ deviceId: s.deviceId, reason: s.reason })),
      incidentStatus: last?.incidentStatus ?? null,
      replayed: results.length > 0 && results.every((r) => r.replayed),
    },
  };
}

import { ConflictError, ValidationError } from '../errors.js';
import { startEmergencyPatch } from '../emergency-patch/start-emergency-patch.js';
import type { RolloutDeps } from '../rollouts/deps.js';
import { runActorRef } from './deps.js';
import type { StepEffect, StepExecution } from './executors.js';

/**
 * The emergency_rollout step: an emergency patch of exactly the devices the plan named, most
 * exposed first, with the fixed release per model (or the one the step names), approved under the
 * incident and started. The step's idempotency key makes a resumed step return the rollouts the
 * first attempt started. Nothing left to patch (all on fixed firmware, or already being updated)
 * is the step's goal met, not a failure.
 */
export async function emergencyRolloutStep(deps: RolloutDeps, x: StepExecution<'emergency_rollout'>): Promise<StepEffect> {
  const step = x.planned.step;
  try {
    const r = await startEmergencyPatch(deps, x.actor, {
      incidentId: x.incident.id,
      deviceIds: x.planned.touches.devices,
      releaseId: step.release === 'fixed' ? null : step.release.releaseId,
      approval: 'INCIDENT',
      idempotencyKey: x.idempotencyKey,
      timelineActor: runActorRef(x.runId),
    });
    return {
      summary: `emergency patch of ${r.targets.length} device${r.targets.length === 1 ? '' : 's'} in ${r.rollouts.length} rollout${r.rollouts.length === 1 ? '' : 's'}${r.skipped.length ? ` (${r.skipped.length} left out)` : ''}`,
      result: {
        rolloutIds: r.rollouts.map((o) => o.id),
        targets: r.targets.length,
        skipped: r.skipped.length,
        advisories: r.advisories,
        replayed: r.replayed,
      },
    };
  } catch (err) {
    const nothingToDo = (err instanceof ValidationError && /^no device to patch/.test(err.message)) || (err instanceof ConflictError && /already being updated/.test(err.message));
    if (!nothingToDo) throw err;
    return { summary: `nothing to patch: ${err.message}`, result: { rolloutIds: [], targets: 0, reason: err.message } };
  }
}

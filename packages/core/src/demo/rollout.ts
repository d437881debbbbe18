import type { Rollout } from '@warden/db';
import type { Actor } from '../auth/roles.js';
import { createRollout } from '../rollouts/create-rollout.js';
import type { RolloutDeps } from '../rollouts/deps.js';
import { approveRollout, startRollout } from '../rollouts/operations.js';
import { DEMO_ROUTINE_RELEASE } from './firmware.js';

export const DEMO_ROLLOUT_NAME = `Thermostats to ${DEMO_ROUTINE_RELEASE.version}`;

/**
 * The routine rollout `npm start` shows: every T5 thermostat to the new release in three waves
 * (canary 10 %, half, all), approved and started. Returns the running rollout, or the existing
 * one when it was started before.
 */
export async function startDemoRollout(deps: RolloutDeps, actor: Actor, opts: { waveDelaySeconds?: number; deviceDeadlineSeconds?: number } = {}): Promise<Rollout> {
  const existing = await deps.db.rollout.findFirst({ where: { name: DEMO_ROLLOUT_NAME }, orderBy: { createdAt: 'desc' } });
  if (existing) return existing;
  const [vendor, name] = DEMO_ROUTINE_RELEASE.model.split('/') as [string, string];
  const release = await deps.db.release.findFirstOrThrow({ where: { version: DEMO_ROUTINE_RELEASE.version, model: { vendor, name } } });
  const rollout = await createRollout(deps, actor, {
    name: DEMO_ROLLOUT_NAME,
    releaseId: release.id,
    filter: { modelIds: [release.modelId] },
    waves: [{ percent: 10, name: 'canary' }, { percent: 50 }, { percent: 100 }],
    successThresholdPct: 80,
    errorThresholdPct: 20,
    waveDelaySeconds: opts.waveDelaySeconds ?? 15,
    deviceDeadlineSeconds: opts.deviceDeadlineSeconds ?? 180,
  });
  await approveRollout(deps, actor, rollout.id);
  return startRollout(deps, actor, rollout.id);
}

import type { Artifact, Prisma, UpdateAction } from '@warden/db';
import type { CoreDeps } from '../context.js';
import { NotFoundError } from '../errors.js';
import { inMaintenanceWindow, maintenanceWindowSchema } from '../rollouts/maintenance-window.js';
import { isActive } from '../rollouts/state-machine.js';

type ReleaseWithArtifacts = Prisma.ReleaseGetPayload<{ include: { artifacts: { include: { artifact: true } } } }>;

export interface DeploymentView {
  action: UpdateAction;
  release: ReleaseWithArtifacts;
  artifacts: Artifact[];
  /** null: the rollout has no maintenance window. */
  maintenanceWindow: 'available' | 'unavailable' | null;
  history: { status: string; messages: string[] } | null;
}

const include = {
  release: { include: { artifacts: { include: { artifact: true }, orderBy: { position: 'asc' } } } },
  rollout: { select: { maintenanceWindow: true } },
} satisfies Prisma.UpdateActionInclude;

async function historyOf(deps: Pick<CoreDeps, 'db'>, action: UpdateAction, n: number | null): Promise<DeploymentView['history']> {
  if (n === null || n === 0) return null;
  const take = n < 0 ? 100 : Math.min(n, 100);
  const entries = await deps.db.updateActionStatusEntry.findMany({ where: { actionId: action.id }, orderBy: { id: 'desc' }, take });
  const messages = entries.flatMap((e) => (e.details.length ? e.details : [`${e.status}`])).slice(0, take);
  return { status: action.status, messages };
}

function view(
  action: Prisma.UpdateActionGetPayload<{ include: typeof include }>,
  at: Date,
  history: DeploymentView['history'],
): DeploymentView {
  const window = action.rollout.maintenanceWindow ? maintenanceWindowSchema.safeParse(action.rollout.maintenanceWindow) : null;
  return {
    action,
    release: action.release,
    artifacts: action.release.artifacts.map((ra) => ra.artifact),
    maintenanceWindow: window?.success ? (inMaintenanceWindow(window.data, at) ? 'available' : 'unavailable') : null,
    history,
  };
}

/**
 * The deployment a device fetches (DDI deploymentBase). Only the device's own, active, not
 * canceling action is visible; fetching it marks it RETRIEVED.
 */
export async function deploymentFor(deps: Pick<CoreDeps, 'db' | 'now'>, deviceId: string, actionId: number, historyCount: number | null): Promise<DeploymentView> {
  const action = await deps.db.updateAction.findFirst({ where: { id: actionId, deviceId }, include });
  if (!action || !isActive(action.status) || action.status === 'CANCELING') throw new NotFoundError('action', String(actionId));
  const at = deps.now?.() ?? new Date();
  if (action.status === 'SCHEDULED') {
    // The move and its history entry together, and only from SCHEDULED: an action canceled or
    // timed out since it was read moves nothing, and is then refused like any inactive one.
    const moved = await deps.db.$transaction(async (tx) => {
      const m = await tx.updateAction.updateMany({ where: { id: action.id, status: 'SCHEDULED' }, data: { status: 'RETRIEVED' } });
      if (m.count) await tx.updateActionStatusEntry.create({ data: { actionId: action.id, at, status: 'RETRIEVED', source: 'SERVER', details: ['retrieved by the device'] } });
      return m.count > 0;
    });
    if (!moved) {
      const now = await deps.db.updateAction.findFirst({ where: { id: actionId, deviceId }, select: { status: true } });
      if (!now || !isActive(now.status) || now.status === 'CANCELING') throw new NotFoundError('action', String(actionId));
      action.status = now.status;
    } else action.status = 'RETRIEVED';
  }
  return view(action, at, await historyOf(deps, action, historyCount));
}

/** A finished action's deployment (DDI installedBase): 404 while active or when it did not install. */
export async function installedFor(deps: Pick<CoreDeps, 'db' | 'now'>, deviceId: string, actionId: number, historyCount: number | null): Promise<DeploymentView> {
  const action = await deps.db.updateAction.findFirst({ where: { id: actionId, deviceId }, include });
  if (!action || !(action.status === 'FINISHED' || action.status === 'ERROR')) throw new NotFoundError('action', String(actionId));
  return view(action, deps.now?.() ?? new Date(), await historyOf(deps, action, historyCount));
}

/** The action being canceled (DDI cancelAction); 404 unless it is the device's and canceling. */
export async function cancelFor(deps: Pick<CoreDeps, 'db'>, deviceId: string, actionId: number): Promise<{ id: number }> {
  const action = await deps.db.updateAction.findFirst({ where: { id: actionId, deviceId, status: 'CANCELING' }, select: { id: true } });
  if (!action) throw new NotFoundError('action', String(actionId));
  return action;
}

/**
 * A software module (one per release) the device may download from: only one assigned to it
 * through an action it has been given.
 */
export async function assignedModule(deps: Pick<CoreDeps, 'db'>, deviceId: string, moduleId: number): Promise<ReleaseWithArtifacts> {
  const release = await deps.db.release.findFirst({
    where: { moduleId, actions: { some: { deviceId, dispatchedAt: { not: null } } } },
    include: { artifacts: { include: { artifact: true }, orderBy: { position: 'asc' } } },
  });
  if (!release) throw new NotFoundError('software module', String(moduleId));
  return release;
}

import { z } from 'zod';
import type { Prisma, Rollout } from '@warden/db';
import { queryBlastRadiusIds } from '@warden/db';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now as clock } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { inAdvisoryRange } from '../blast-radius/advisory-match.js';
import type { AdvisoryRange } from '../blast-radius/types.js';
import { actorRef } from '../incidents/use-cases.js';
import { createRollout } from '../rollouts/create-rollout.js';
import { wakeOrchestrator, type RolloutDeps } from '../rollouts/deps.js';
import { lockRollout } from '../rollouts/orchestrate.js';
import { waveSpecSchema } from '../rollouts/plan.js';
import { OPEN_ACTION_STATUSES, rolloutTransition } from '../rollouts/state-machine.js';
import { planEmergencyPatch, type PatchDevice, type PatchRelease, type PatchSkipReason } from './plan.js';

export const startEmergencyPatchSchema = z.strictObject({
  incidentId: z.uuid({ error: 'incidentId: not an id' }),
  /** One release for every target (devices of its model only). Default: the fixed release per model, from the advisories. */
  releaseId: z.uuid({ error: 'releaseId: not an id' }).nullish(),
  /** Explicit targets (still ordered by exposure). Default: the incident's devices, then blast-radius tiers 1..maxTier. */
  deviceIds: z.array(z.uuid({ error: 'deviceIds: not an id' })).min(1, 'deviceIds: at least one device').max(100_000).nullish(),
  maxTier: z.int().min(1).max(4).default(3),
  maxHops: z.int().min(1).max(4).default(2),
  waves: z.array(waveSpecSchema).min(1).max(20).default([{ percent: 10, name: 'most exposed' }, { percent: 50 }, { percent: 100 }]),
  deviceDeadlineSeconds: z.int().min(60).max(7 * 24 * 3600).default(6 * 3600),
  /**
   * INCIDENT (default): the responder's own approval, under the incident, is recorded on each
   * rollout and the patch starts at once. ADMIN: the rollouts wait for an administrator's
   * `approveRollout` and a `startRollout`, as ordinary rollouts do.
   */
  approval: z.enum(['INCIDENT', 'ADMIN']).default('INCIDENT'),
  /** Makes a repeated call (a resumed playbook step) return the first call's rollouts instead of starting more. */
  idempotencyKey: z.string().min(1).max(200).nullish(),
  /** How the timeline names who did it; default the actor (`user:<id>`, `apikey:<id>`). A playbook run passes `playbook-run:<id>`. */
  timelineActor: z.string().min(1).max(200).nullish(),
});
export type StartEmergencyPatchInput = z.input<typeof startEmergencyPatchSchema>;

export type EmergencyPatchSkipReason = PatchSkipReason | 'BUSY';

export interface EmergencyPatchResult {
  incidentId: string;
  /** One emergency rollout per release (per model), the one holding the most exposed device first. */
  rollouts: Rollout[];
  /** Devices the rollouts update, most exposed first. */
  targets: string[];
  /** Devices the selection named that are left out, and why. */
  skipped: { deviceId: string; reason: EmergencyPatchSkipReason }[];
  /** External ids of the advisories the patch closes (those the incident's devices carry). */
  advisories: string[];
  /** True when `idempotencyKey` matched an earlier call: nothing new was started. */
  replayed: boolean;
}

function parse(raw: unknown) {
  const r = startEmergencyPatchSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.join('.') || 'input';
    throw new ValidationError(i.message.includes(':') ? i.message : `${field}: ${i.message}`, field);
  }
  return r.data;
}

const dedupKeyOf = (incidentId: string, key: string) => `emergency-patch:${incidentId}:${key}`;

/**
 * Starts an emergency patch from an incident (RESPONDER): the fixed firmware for the exposed
 * devices, most exposed first.
 *
 * 1. Targets: `deviceIds`, or the incident's devices followed by its blast radius (tiers 1 to
 *    `maxTier`, each most exposed first); either way ordered by exposure.
 * 2. Release: `releaseId`, or per model the lowest release that closes every advisory the
 *    incident's devices carry (`fixedReleaseFor`). Devices not running affected firmware, that
 *    cannot be updated over the air, or that are busy with another update are skipped, with why.
 * 3. One emergency rollout per release (no waiting between waves; thresholds still apply, a
 *    breach pauses), the most exposed devices in the first wave.
 * 4. Approval: a RESPONDER may patch from an incident. With `approval: 'INCIDENT'` (default) the
 *    responder's approval is recorded on each rollout (`approvedBy`, audit `rollout.approve` naming
 *    the incident) and the rollouts start; with `'ADMIN'` they wait for an administrator.
 * 5. The incident's timeline gets a ROLLOUT entry and the audit log `incident.emergencyPatch`.
 *
 * Devices learn of their update on their next DDI poll. Throws NotFoundError (incident, release),
 * ValidationError (bad input, nothing to patch, no advisory to pick a release from) or
 * ConflictError (every target is already being updated).
 */
export async function startEmergencyPatch(deps: RolloutDeps, actor: Actor, raw: StartEmergencyPatchInput): Promise<EmergencyPatchResult> {
  requireRole(actor, 'RESPONDER');
  const input = parse(raw);
  const incident = await deps.db.incident.findUnique({ where: { id: input.incidentId } });
  if (!incident) throw new NotFoundError('incident', input.incidentId);
  const dedupKey = input.idempotencyKey ? dedupKeyOf(incident.id, input.idempotencyKey) : null;
  if (dedupKey) {
    const earlier = await replay(deps, incident.id, dedupKey);
    if (earlier) return earlier;
  }

  // Most exposed first: the incident's devices, then the blast radius by tier and score.
  const ranked = await queryBlastRadiusIds(deps.sql, {
    compromisedIds: incident.deviceIds,
    extraSegmentIds: incident.segmentId ? [incident.segmentId] : [],
    maxHops: input.maxHops,
    maxTier: input.maxTier,
  });
  const exposureOrder = [...new Set([...incident.deviceIds, ...ranked.map((r) => r.deviceId)])];
  let targetIds = exposureOrder;
  if (input.deviceIds) {
    const rank = new Map(exposureOrder.map((id, i) => [id, i]));
    targetIds = [...new Set(input.deviceIds)].map((id, i) => ({ id, i })).sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity) || a.i - b.i).map((x) => x.id);
  }

  const rows = await deps.db.device.findMany({
    where: { id: { in: [...new Set([...targetIds, ...incident.deviceIds])] } },
    select: { id: true, modelId: true, firmwareVersion: true, status: true, model: { select: { otaCapable: true } } },
  });
  const byId = new Map(rows.map((d) => [d.id, d]));
  if (input.deviceIds) {
    const unknown = input.deviceIds.find((id) => !byId.has(id));
    if (unknown) throw new NotFoundError('device', unknown);
  }
  const devices: PatchDevice[] = targetIds.flatMap((id) => {
    const d = byId.get(id);
    return d ? [{ id, modelId: d.modelId, firmwareVersion: d.firmwareVersion, otaCapable: d.model.otaCapable, retired: d.status === 'RETIRED' }] : [];
  });

  // The advisories the incident's devices carry, with every range they have on any model.
  const compromised = incident.deviceIds.map((id) => byId.get(id)).filter((d) => d !== undefined);
  const ranges = await exploitedRanges(deps, compromised);
  const advisories = [...new Set(ranges.map((r) => r.externalId))].sort();

  let release: PatchRelease | null = null;
  let releases: PatchRelease[] = [];
  if (input.releaseId) {
    const r = await deps.db.release.findUnique({ where: { id: input.releaseId }, select: { id: true, modelId: true, version: true } });
    if (!r) throw new NotFoundError('release', input.releaseId);
    release = r;
  } else {
    if (!ranges.length) {
      throw new ValidationError("releaseId: the incident's devices carry no known advisory, so there is no fixed release to pick; name the release", 'releaseId');
    }
    const models = [...new Set(devices.map((d) => d.modelId))];
    releases = await deps.db.release.findMany({ where: { modelId: { in: models } }, select: { id: true, modelId: true, version: true } });
  }

  const plan = planEmergencyPatch({ devices, ranges, releases, release });
  const skipped: EmergencyPatchResult['skipped'] = [...plan.skipped];
  const planned = plan.groups.flatMap((g) => g.deviceIds);
  const busy = new Set(
    (
      await deps.db.updateAction.findMany({
        where: { deviceId: { in: planned }, status: { in: [...OPEN_ACTION_STATUSES] } },
        select: { deviceId: true },
      })
    ).map((a) => a.deviceId),
  );
  const groups = plan.groups
    .map((g) => ({ release: g.release, deviceIds: g.deviceIds.filter((id) => !busy.has(id)) }))
    .filter((g) => g.deviceIds.length > 0);
  for (const id of planned) if (busy.has(id)) skipped.push({ deviceId: id, reason: 'BUSY' });
  if (!groups.length) {
    const reasons = countBy(skipped.map((s) => s.reason));
    if (busy.size && busy.size === planned.length) throw new ConflictError(`every device to patch is already being updated (${busy.size})`, { skipped: reasons });
    throw new ValidationError(`no device to patch: ${devices.length} considered, none running affected firmware that can be updated`, 'deviceIds', { skipped: reasons });
  }

  const models = new Map(
    (await deps.db.deviceModel.findMany({ where: { id: { in: groups.map((g) => g.release.modelId) } }, select: { id: true, vendor: true, name: true } })).map((m) => [m.id, m]),
  );
  // Every rollout, its approval and the incident's record in one transaction: a crash or a
  // failure part way leaves nothing behind, so a step run again (same idempotency key) starts
  // afresh, and a twin call with that key waits for the first and replays it.
  const versionOf = new Map(groups.map((g) => [g.release.id, g.release.version]));
  const result = await deps.db.$transaction(
    async (tx): Promise<EmergencyPatchResult | null> => {
      if (dedupKey) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${dedupKey}, 0))`;
        if (await tx.incidentTimelineEntry.findUnique({ where: { dedupKey }, select: { id: true } })) return null;
      }
      const rollouts: Rollout[] = [];
      for (const g of groups) {
        const m = models.get(g.release.modelId);
        const name = `Emergency patch: ${m ? `${m.vendor} ${m.name}` : 'model'} ${g.release.version} (incident ${incident.title})`.slice(0, 200);
        const created = await createRollout(
          deps,
          actor,
          {
            name,
            releaseId: g.release.id,
            filter: { deviceIds: g.deviceIds },
            waves: input.waves,
            emergency: true,
            requiresApproval: true,
            errorAction: 'PAUSE',
            deviceDeadlineSeconds: input.deviceDeadlineSeconds,
          },
          { order: g.deviceIds, tx },
        );
        for (const e of created.exclusions) skipped.push({ deviceId: e.deviceId, reason: e.reason === 'NOT_OTA_CAPABLE' ? 'NOT_OTA_CAPABLE' : 'BUSY' });
        rollouts.push(input.approval === 'INCIDENT' ? await approveAndStart(tx, deps, actor, created.id, incident.id) : created);
      }
      const excluded = new Set(skipped.map((s) => s.deviceId));
      const targets = groups.flatMap((g) => g.deviceIds).filter((id) => !excluded.has(id));
      const r: EmergencyPatchResult = { incidentId: incident.id, rollouts, targets, skipped, advisories, replayed: false };
      await record(tx, deps, actor, input, r, versionOf, dedupKey);
      return r;
    },
    { timeout: 60_000 },
  );
  if (!result) return (await replay(deps, incident.id, dedupKey!))!;
  for (const r of result.rollouts) if (r.status === 'RUNNING') await wakeOrchestrator(deps, r.id);
  return result;
}

/** The incident's devices' open advisories: every range of each (any model), for picking fixes. */
async function exploitedRanges(deps: RolloutDeps, compromised: { modelId: string; firmwareVersion: string | null }[]): Promise<AdvisoryRange[]> {
  if (!compromised.length) return [];
  const models = [...new Set(compromised.map((d) => d.modelId))];
  const own = await deps.db.advisoryAffected.findMany({ where: { modelId: { in: models } }, include: { advisory: { select: { externalId: true, severity: true } } } });
  const toRange = (r: (typeof own)[number]): AdvisoryRange => ({
    advisoryId: r.advisoryId,
    externalId: r.advisory.externalId,
    severity: r.advisory.severity,
    modelId: r.modelId,
    introduced: r.introduced,
    fixed: r.fixed,
    lastAffected: r.lastAffected,
    fixAvailable: r.fixedReleaseId !== null,
  });
  const exploited = new Set(own.map(toRange).filter((r) => compromised.some((d) => d.modelId === r.modelId && inAdvisoryRange(d.firmwareVersion, r))).map((r) => r.advisoryId));
  if (!exploited.size) return [];
  const all = await deps.db.advisoryAffected.findMany({ where: { advisoryId: { in: [...exploited] } }, include: { advisory: { select: { externalId: true, severity: true } } } });
  return all.map(toRange);
}

/** Records the responder's approval under the incident and starts the rollout (the orchestrator is woken after the commit). */
async function approveAndStart(tx: Prisma.TransactionClient, deps: RolloutDeps, actor: Actor, rolloutId: string, incidentId: string): Promise<Rollout> {
  const r = await lockRollout(tx, rolloutId);
  const at = clock(deps);
  const ready = rolloutTransition(r.status, 'approve');
  await tx.rollout.update({ where: { id: r.id }, data: { status: ready, approvedBy: actor.name, approvedAt: at } });
  await audit(tx, actor, {
    action: 'rollout.approve',
    targetType: 'rollout',
    targetId: r.id,
    summary: { from: r.status, to: ready, authority: 'emergency patch', incidentId, role: actor.role },
  });
  const running = rolloutTransition(ready, 'start');
  const row = await tx.rollout.update({ where: { id: r.id }, data: { status: running, startedAt: at, statusReason: null } });
  await audit(tx, actor, { action: 'rollout.start', targetType: 'rollout', targetId: r.id, summary: { from: ready, to: running, incidentId } });
  return row;
}

type Input = ReturnType<typeof parse>;

/** The incident's timeline entry (unique by `dedupKey`) and the audit row. */
async function record(tx: Prisma.TransactionClient, deps: RolloutDeps, actor: Actor, input: Input, r: EmergencyPatchResult, version: Map<string, string>, dedupKey: string | null): Promise<void> {
  const summary = {
    rolloutIds: r.rollouts.map((x) => x.id),
    releases: r.rollouts.map((x) => ({ rolloutId: x.id, releaseId: x.releaseId, version: version.get(x.releaseId) ?? null })),
    targets: r.targets.length,
    skipped: countBy(r.skipped.map((s) => s.reason)),
    advisories: r.advisories,
    approval: input.approval,
    status: r.rollouts.map((x) => x.status),
  };
  const at = clock(deps);
  await tx.incidentTimelineEntry.create({
    data: {
      incidentId: r.incidentId,
      at,
      type: 'ROLLOUT',
      actor: input.timelineActor ?? actorRef(actor),
      summary: `emergency patch: ${r.targets.length} device${r.targets.length === 1 ? '' : 's'} in ${r.rollouts.length} rollout${r.rollouts.length === 1 ? '' : 's'} (${summary.releases.map((x) => x.version).join(', ')})${input.approval === 'ADMIN' ? ', waiting for an administrator' : ''}`,
      data: { ...summary, targetIds: r.targets.slice(0, 1000), skippedDevices: r.skipped.slice(0, 1000) } as Prisma.InputJsonValue,
      dedupKey,
    },
  });
  await tx.incident.update({ where: { id: r.incidentId }, data: { updatedAt: at } });
  await audit(tx, actor, { action: 'incident.emergencyPatch', targetType: 'Incident', targetId: r.incidentId, summary });
}

/** The result of an earlier call with the same idempotency key, if there was one. */
async function replay(deps: RolloutDeps, incidentId: string, dedupKey: string): Promise<EmergencyPatchResult | null> {
  const entry = await deps.db.incidentTimelineEntry.findUnique({ where: { dedupKey } });
  if (!entry) return null;
  const data = entry.data as { rolloutIds?: string[]; targetIds?: string[]; skippedDevices?: EmergencyPatchResult['skipped']; advisories?: string[] };
  const ids = data.rolloutIds ?? [];
  const rows = await deps.db.rollout.findMany({ where: { id: { in: ids } } });
  rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  return { incidentId, rollouts: rows, targets: data.targetIds ?? [], skipped: data.skippedDevices ?? [], advisories: data.advisories ?? [], replayed: true };
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

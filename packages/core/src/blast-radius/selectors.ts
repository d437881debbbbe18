import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { deviceSelectorSchema, type DeviceSelector } from '../playbooks/schema.js';
import { blastRadiusTiers } from './query.js';

/**
 * Resolves a playbook device selector for one incident to device ids, most exposed first:
 *
 * - `incident.devices`: the incident's (compromised) devices, in the incident's order;
 * - `blast_radius.tier:N`: the blast radius's tier N, most exposed first;
 * - `blast_radius.tier<=N`: tiers 1 to N, tier 1 first.
 *
 * Takes the selector as written or parsed (`parsePlaybook` output). The blast radius follows the
 * contact graph `maxHops` hops (default 2). No role check: the caller (a playbook run, an
 * emergency patch) checked its own.
 */
export async function resolveDeviceSelector(
  deps: Pick<CoreDeps, 'db' | 'sql'>,
  incidentId: string,
  selector: DeviceSelector | string,
  opts: { maxHops?: number } = {},
): Promise<string[]> {
  if (!/^[0-9a-f-]{36}$/i.test(incidentId)) throw new ValidationError('incidentId: not an id', 'incidentId');
  let sel: DeviceSelector;
  if (typeof selector === 'string') {
    const parsed = deviceSelectorSchema.safeParse(selector);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message, 'targets');
    sel = parsed.data;
  } else sel = selector;
  if (sel.from === 'incident.devices') {
    const incident = await deps.db.incident.findUnique({ where: { id: incidentId }, select: { deviceIds: true } });
    if (!incident) throw new NotFoundError('incident', incidentId);
    return [...new Set(incident.deviceIds)];
  }
  const tiers = await blastRadiusTiers(deps, incidentId, { maxHops: opts.maxHops ?? 2, maxTier: sel.maxTier });
  return sel.exactTier ? tiers[sel.maxTier] : [...tiers[1], ...tiers[2], ...tiers[3], ...tiers[4]];
}

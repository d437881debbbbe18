import { z } from 'zod';
import { queryBlastRadius, queryBlastRadiusIds, type BlastRadiusCursor, type BlastRadiusSqlEntry } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { BlastReason } from './score.js';

type Tier = 1 | 2 | 3 | 4;

/** One ranked device of a blast-radius page. */
export interface BlastRadiusDevice {
  deviceId: string;
  segmentId: string | null;
  tier: Tier;
  /** Orders devices within a tier; higher is more exposed. */
  score: number;
  /** Every reason, the one that set the tier first. */
  reasons: BlastReason[];
  /** An opaque cursor for `after`. */
  cursor: string;
}

export interface BlastRadiusReport {
  incidentId: string | null;
  /** The compromised devices the radius is measured from (those that exist). */
  compromised: string[];
  maxHops: number;
  total: number;
  byTier: Record<Tier, number>;
  /** Most affected segment first; `segmentId` null for devices without a segment. */
  bySegment: { segmentId: string | null; total: number; byTier: Record<Tier, number> }[];
  /** Open advisories of the compromised devices' firmware (what a worm would exploit next). */
  exploitedAdvisories: string[];
  devices: BlastRadiusDevice[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export const MAX_BLAST_HOPS = 4;
const MAX_DEVICE_IDS = 1000;

const argsSchema = z.strictObject({
  incidentId: z.uuid({ error: 'incidentId: not an id' }).nullish(),
  deviceIds: z.array(z.uuid({ error: 'deviceIds: not an id' })).max(MAX_DEVICE_IDS, `deviceIds: at most ${MAX_DEVICE_IDS}`).nullish(),
  maxHops: z.int().min(1, `maxHops: from 1 to ${MAX_BLAST_HOPS}`).max(MAX_BLAST_HOPS, `maxHops: from 1 to ${MAX_BLAST_HOPS}`).default(2),
  includeUnpatchable: z.boolean().default(true),
  first: z.int().min(0).default(50),
  after: z.string().max(200).nullish(),
});
export type BlastRadiusArgs = z.input<typeof argsSchema>;

function parseArgs(deps: CoreDeps, raw: BlastRadiusArgs) {
  const r = argsSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.join('.') || 'input';
    throw new ValidationError(i.message.includes(':') ? i.message : `${field}: ${i.message}`, field);
  }
  const a = r.data;
  if (!a.incidentId === !a.deviceIds) throw new ValidationError('give either incidentId or deviceIds (not both)', a.incidentId ? 'deviceIds' : 'incidentId');
  if (a.deviceIds && a.deviceIds.length === 0) throw new ValidationError('deviceIds: at least one device', 'deviceIds');
  const max = deps.config.graphql.maxPageSize;
  if (a.first > max) throw new ValidationError(`first: must be between 0 and ${max}`, 'first');
  return a;
}

const encodeCursor = (c: BlastRadiusCursor) => Buffer.from(`${c.tier}|${c.score}|${c.deviceId}`).toString('base64url');
function decodeCursor(s: string): BlastRadiusCursor {
  const [tier, score, deviceId] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  const t = Number(tier);
  const sc = Number(score);
  if (![1, 2, 3, 4].includes(t) || !Number.isFinite(sc) || !deviceId || !z.uuid().safeParse(deviceId).success) {
    throw new ValidationError('after: not a cursor from this API', 'after');
  }
  return { tier: t, score: sc, deviceId };
}

/** The reasons of a ranked device, in the order of `computeBlastRadius`: contact, segment, firmware, unpatchable. */
export function reasonsOf(e: BlastRadiusSqlEntry): BlastReason[] {
  const out: BlastReason[] = [];
  if (e.hops !== null) {
    out.push({ kind: 'CONTACTED', hops: e.hops, via: e.via ?? '', contactedBy: e.contactedBy ?? false, contacted: e.contacted ?? false, count: e.count ?? 0, bytes: e.bytes ?? 0 });
  }
  if (e.sameSegment && e.segmentId) out.push({ kind: 'SAME_SEGMENT', segmentId: e.segmentId });
  if (e.advisories) out.push({ kind: 'VULNERABLE_FIRMWARE', advisories: e.advisories, fixAvailable: e.fixAvailable ?? false });
  else if (e.sameFirmware && e.firmwareVersion) out.push({ kind: 'SAME_FIRMWARE', modelId: e.modelId, version: e.firmwareVersion });
  if (e.unpatchable) out.push({ kind: 'UNPATCHABLE' });
  return out;
}

/** Who the radius is measured from: an incident's devices (and its segment), or devices named directly. */
async function sourceOf(deps: Pick<CoreDeps, 'sql'>, a: { incidentId?: string | null; deviceIds?: string[] | null }) {
  // Plain SQL on the pool: this runs before every blast-radius query.
  if (a.incidentId) {
    const { rows } = await deps.sql.query<{ device_ids: string[]; segment_id: string | null }>('SELECT device_ids::text[] AS device_ids, segment_id::text AS segment_id FROM incidents WHERE id = $1', [a.incidentId]);
    const incident = rows[0];
    if (!incident) throw new NotFoundError('incident', a.incidentId);
    return { compromisedIds: incident.device_ids, extraSegmentIds: incident.segment_id ? [incident.segment_id] : [] };
  }
  const ids = [...new Set(a.deviceIds ?? [])];
  const { rows } = await deps.sql.query<{ id: string }>('SELECT id::text AS id FROM devices WHERE id = ANY($1::uuid[])', [ids]);
  if (rows.length !== ids.length) {
    const known = new Set(rows.map((d) => d.id));
    throw new NotFoundError('device', ids.find((id) => !known.has(id))!);
  }
  return { compromisedIds: ids, extraSegmentIds: [] };
}

const zero = (): Record<Tier, number> => ({ 1: 0, 2: 0, 3: 0, 4: 0 });

/**
 * The blast radius of an incident (its devices and segment) or of any set of devices (VIEWER):
 * the rest of the fleet in four tiers with reasons, counts per tier and per segment, and one
 * page of the ranked list, from one SQL statement. Tiers are those of {@link computeBlastRadius}.
 */
export async function getBlastRadius(deps: CoreDeps, actor: Actor, raw: BlastRadiusArgs): Promise<BlastRadiusReport> {
  requireRole(actor, 'VIEWER');
  const a = parseArgs(deps, raw);
  const after = a.after ? decodeCursor(a.after) : null;
  const source = await sourceOf(deps, a);
  const r = await queryBlastRadius(deps.sql, { ...source, maxHops: a.maxHops, includeUnpatchable: a.includeUnpatchable, limit: a.first + 1, after });
  const byTier = zero();
  const segs = new Map<string | null, { segmentId: string | null; total: number; byTier: Record<Tier, number> }>();
  for (const c of r.counts) {
    byTier[c.tier] += c.devices;
    let s = segs.get(c.segmentId);
    if (!s) segs.set(c.segmentId, (s = { segmentId: c.segmentId, total: 0, byTier: zero() }));
    s.total += c.devices;
    s.byTier[c.tier] += c.devices;
  }
  const page = r.entries.slice(0, a.first);
  const devices = page.map((e) => ({
    deviceId: e.deviceId,
    segmentId: e.segmentId,
    tier: e.tier,
    score: e.score,
    reasons: reasonsOf(e),
    cursor: encodeCursor({ tier: e.tier, score: e.score, deviceId: e.deviceId }),
  }));
  return {
    incidentId: a.incidentId ?? null,
    compromised: r.compromised,
    maxHops: a.maxHops,
    total: byTier[1] + byTier[2] + byTier[3] + byTier[4],
    byTier,
    bySegment: [...segs.values()].sort(
      (x, y) => y.byTier[1] - x.byTier[1] || y.byTier[2] - x.byTier[2] || y.total - x.total || String(x.segmentId).localeCompare(String(y.segmentId)),
    ),
    exploitedAdvisories: r.exploitedAdvisories,
    devices,
    hasNextPage: r.entries.length > a.first,
    endCursor: devices.at(-1)?.cursor ?? null,
  };
}

/**
 * An incident's blast radius as device ids per tier, most exposed first within each tier. No role
 * check: for use-cases that checked theirs (emergency patches, playbook runs).
 */
export async function blastRadiusTiers(deps: Pick<CoreDeps, 'db' | 'sql'>, incidentId: string, opts: { maxHops?: number; maxTier?: Tier } = {}): Promise<Record<Tier, string[]>> {
  if (!z.uuid().safeParse(incidentId).success) throw new ValidationError('incidentId: not an id', 'incidentId');
  const source = await sourceOf(deps, { incidentId });
  const rows = await queryBlastRadiusIds(deps.sql, { ...source, maxHops: opts.maxHops ?? 2, maxTier: opts.maxTier ?? 4 });
  const out: Record<Tier, string[]> = { 1: [], 2: [], 3: [], 4: [] };
  for (const r of rows) out[r.tier].push(r.deviceId);
  return out;
}

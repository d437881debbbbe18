import { queryReadinessAggregates } from '@warden/db';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AdvisoryExposure } from './exposure.js';
import { readinessFromCounts, type Readiness } from './readiness.js';

/**
 * The readiness picture (VIEWER), for the whole fleet or one site: exposure per advisory and where,
 * unpatchable devices, how far a worm would get from each segment, and how many devices would
 * suffer at the same time. Counting happens in SQL (`queryReadinessAggregates`); only the
 * per-segment aggregates and segment links reach JS for the worm-reach walk.
 *
 * Segment links are the contacts seen between devices of two segments (who opened connections
 * to whom); a firewall policy that allows more is not modelled.
 */
export async function getReadiness(deps: CoreDeps, actor: Actor, opts: { siteId?: string | null } = {}): Promise<Readiness> {
  requireRole(actor, 'VIEWER');
  if (opts.siteId) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.siteId)) throw new ValidationError('siteId: not an id', 'siteId');
    if (!(await deps.db.site.findUnique({ where: { id: opts.siteId }, select: { id: true } }))) throw new NotFoundError('site', opts.siteId);
  }
  const agg = await queryReadinessAggregates(deps.sql, { siteId: opts.siteId ?? null });
  const bySeg = groupBy(agg.advisorySegments, (r) => r.advisoryId);
  const byFw = groupBy(agg.advisoryFirmware, (r) => r.advisoryId);
  const advisories: AdvisoryExposure[] = agg.advisories.map((a) => ({
    ...a,
    bySegment: (bySeg.get(a.advisoryId) ?? []).map((s) => ({ segmentId: s.segmentId, devices: s.devices })),
    byFirmware: (byFw.get(a.advisoryId) ?? []).map((f) => ({ modelId: f.modelId, version: f.version ?? '', devices: f.devices })),
  }));
  return readinessFromCounts({ advisories, segments: agg.segments, links: agg.links });
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

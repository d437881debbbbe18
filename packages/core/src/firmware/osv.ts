import { z } from 'zod';

/**
 * Reading OSV JSON (https://ossf.github.io/osv-schema/): pure, no I/O. Each affected package's
 * ranges become intervals [introduced, fixed) or [introduced, lastAffected].
 */
const event = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const osvSchema = z.object({
  id: z.string().min(1).max(100),
  aliases: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  published: z.string().optional(),
  modified: z.string().optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).optional(),
  database_specific: z.object({ severity: z.string().optional() }).loose().optional(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string().optional(), name: z.string() }),
        ranges: z.array(z.object({ type: z.string(), events: z.array(event) })).optional(),
        database_specific: z.object({ severity: z.string().optional() }).loose().optional(),
      }),
    )
    .min(1),
});

export type Severity = 'UNKNOWN' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AffectedRange {
  introduced: string | null;
  fixed: string | null;
  lastAffected: string | null;
}

export interface ParsedOsv {
  externalId: string;
  aliases: string[];
  summary: string;
  details: string;
  severity: Severity;
  publishedAt: Date | null;
  modifiedAt: Date | null;
  affected: { packageName: string; ranges: AffectedRange[] }[];
}

export function severityFromLabel(label: string | undefined): Severity {
  switch (label?.toUpperCase()) {
    case 'LOW':
      return 'LOW';
    case 'MODERATE':
    case 'MEDIUM':
      return 'MEDIUM';
    case 'HIGH':
      return 'HIGH';
    case 'CRITICAL':
      return 'CRITICAL';
    default:
      return 'UNKNOWN';
  }
}

/** CVSS base score bands (v3/v4) when a plain number is given. */
function severityFromScore(score: string): Severity {
  const n = Number(score);
  if (!Number.isFinite(n)) return 'UNKNOWN';
  if (n >= 9) return 'CRITICAL';
  if (n >= 7) return 'HIGH';
  if (n >= 4) return 'MEDIUM';
  if (n > 0) return 'LOW';
  return 'UNKNOWN';
}

function date(s: string | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Turns one range's ordered events into intervals. */
export function intervals(events: z.infer<typeof event>[]): AffectedRange[] {
  const out: AffectedRange[] = [];
  let open: string | null | undefined;
  for (const e of events) {
    if (e.introduced !== undefined) {
      open = e.introduced === '0' ? null : e.introduced;
    } else if (open !== undefined && (e.fixed !== undefined || e.last_affected !== undefined)) {
      out.push({ introduced: open, fixed: e.fixed ?? null, lastAffected: e.last_affected ?? null });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ introduced: open, fixed: null, lastAffected: null });
  return out;
}

export type OsvResult = { ok: true; value: ParsedOsv } | { ok: false; error: string };

export function parseOsv(input: unknown): OsvResult {
  const parsed = osvSchema.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, error: `${i.path.join('.') || 'document'}: ${i.message}` };
  }
  const o = parsed.data;
  let severity = severityFromLabel(o.database_specific?.severity ?? o.affected.find((a) => a.database_specific?.severity)?.database_specific?.severity);
  if (severity === 'UNKNOWN') {
    for (const s of o.severity ?? []) {
      const fromScore = severityFromScore(s.score);
      if (fromScore !== 'UNKNOWN') severity = fromScore;
    }
  }
  return {
    ok: true,
    value: {
      externalId: o.id,
      aliases: o.aliases ?? [],
      summary: o.summary ?? '',
      details: o.details ?? '',
      severity,
      publishedAt: date(o.published),
      modifiedAt: date(o.modified),
      affected: o.affected.map((a) => ({
        packageName: a.package.name,
        ranges: (a.ranges ?? []).filter((r) => r.type !== 'GIT').flatMap((r) => intervals(r.events)),
      })),
    },
  };
}

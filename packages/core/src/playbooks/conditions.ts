import { z } from 'zod';
import { INCIDENT_SEVERITIES, severityRank, type IncidentSeverity } from '../incidents/severity.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../incidents/lifecycle.js';

/** What conditions and selectors see of an incident (read once, when the step is decided). */
export interface IncidentSnapshot {
  id: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  rules: string[];
  deviceIds: string[];
  segmentIds: string[];
  /** External addresses the incident's alerts name (threat-intel hits, forbidden destinations). */
  destinations: string[];
  criticalDeviceCount: number;
  /** Epoch ms. */
  openedAt: number;
  /** Devices per blast-radius tier (1–4), as last computed. */
  blastRadius: Record<1 | 2 | 3 | 4, number>;
}

/** Fields a condition may test, with how their values compare. */
export const CONDITION_FIELDS = {
  'incident.severity': 'severity',
  'incident.status': 'status',
  'incident.rules': 'list',
  'incident.segments': 'list',
  'incident.deviceCount': 'number',
  'incident.segmentCount': 'number',
  'incident.criticalDeviceCount': 'number',
  'incident.ageSeconds': 'number',
  'blast_radius.tier1': 'number',
  'blast_radius.tier2': 'number',
  'blast_radius.tier3': 'number',
  'blast_radius.tier4': 'number',
} as const;
export type ConditionField = keyof typeof CONDITION_FIELDS;

const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains'] as const;

const scalar = z.union([z.string(), z.number()]);
const comparison = z
  .strictObject({
    field: z.enum(Object.keys(CONDITION_FIELDS) as [ConditionField, ...ConditionField[]], {
      error: `field must be one of ${Object.keys(CONDITION_FIELDS).join(', ')}`,
    }),
    op: z.enum(OPS, { error: `op must be one of ${OPS.join(', ')}` }),
    value: z.union([scalar, z.array(scalar)]),
  })
  .superRefine((c, ctx) => {
    const kind = CONDITION_FIELDS[c.field];
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (c.op === 'in') {
      if (!Array.isArray(c.value)) return bad('"in" takes a list');
    } else if (Array.isArray(c.value)) return bad(`"${c.op}" takes one value`);
    if (kind === 'list') {
      if (c.op !== 'contains' && c.op !== 'eq' && c.op !== 'ne') return bad(`${c.field} is a list: use contains`);
      return;
    }
    if (c.op === 'contains') return bad(`contains works on lists only (${c.field} is a ${kind})`);
    const values = Array.isArray(c.value) ? c.value : [c.value];
    for (const v of values) {
      if (kind === 'number' && typeof v !== 'number') return bad(`${c.field} is a number`);
      if (kind === 'severity' && !INCIDENT_SEVERITIES.includes(v as IncidentSeverity)) return bad(`a severity: ${INCIDENT_SEVERITIES.join(', ')}`);
      if (kind === 'status' && !INCIDENT_STATUSES.includes(v as IncidentStatus)) return bad(`a status: ${INCIDENT_STATUSES.join(', ')}`);
    }
  });

export type Condition =
  | z.infer<typeof comparison>
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const CONDITION_HELP = 'a condition is {field, op, value}, {all: [...]}, {any: [...]} or {not: ...}';

/**
 * A condition. The form is picked by its keys (all / any / not / a comparison) before validating,
 * so errors point inside the form that was meant rather than at the whole union.
 */
export const conditionSchema: z.ZodType<Condition, unknown> = z.unknown().transform((value, ctx): Condition => {
  let schema: z.ZodType<Condition, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: CONDITION_HELP });
    return z.NEVER;
  }
  if ('all' in value) schema = z.strictObject({ all: z.array(conditionSchema).min(1) });
  else if ('any' in value) schema = z.strictObject({ any: z.array(conditionSchema).min(1) });
  else if ('not' in value) schema = z.strictObject({ not: conditionSchema });
  else schema = comparison;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

function fieldValue(field: ConditionField, s: IncidentSnapshot, now: number): string | number | string[] {
  switch (field) {
    case 'incident.severity':
      return s.severity;
    case 'incident.status':
      return s.status;
    case 'incident.rules':
      return s.rules;
    case 'incident.segments':
      return s.segmentIds;
    case 'incident.deviceCount':
      return s.deviceIds.length;
    case 'incident.segmentCount':
      return s.segmentIds.length;
    case 'incident.criticalDeviceCount':
      return s.criticalDeviceCount;
    case 'incident.ageSeconds':
      return Math.floor((now - s.openedAt) / 1000);
    case 'blast_radius.tier1':
      return s.blastRadius[1];
    case 'blast_radius.tier2':
      return s.blastRadius[2];
    case 'blast_radius.tier3':
      return s.blastRadius[3];
    case 'blast_radius.tier4':
      return s.blastRadius[4];
  }
}

/** Severities compare by rank and statuses by lifecycle phase, so `severity gte HIGH` means HIGH or CRITICAL. */
function rank(field: ConditionField, v: string | number): number {
  const kind = CONDITION_FIELDS[field];
  if (kind === 'severity') return severityRank(v as IncidentSeverity);
  if (kind === 'status') return INCIDENT_STATUSES.indexOf(v as IncidentStatus);
  return Number(v);
}

/** Evaluates a validated condition against an incident snapshot at `now` (epoch ms). */
export function evaluateCondition(c: Condition, s: IncidentSnapshot, now: number): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, s, now));
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, s, now));
  if ('not' in c) return !evaluateCondition(c.not, s, now);
  const actual = fieldValue(c.field, s, now);
  if (Array.isArray(actual)) {
    const has = actual.includes(String(c.value));
    if (c.op === 'contains' || c.op === 'eq') return has;
    return !has;
  }
  const want = c.value;
  switch (c.op) {
    case 'eq':
      return actual === want;
    case 'ne':
      return actual !== want;
    case 'in':
      return (want as (string | number)[]).includes(actual);
    case 'gt':
      return rank(c.field, actual) > rank(c.field, want as string | number);
    case 'gte':
      return rank(c.field, actual) >= rank(c.field, want as string | number);
    case 'lt':
      return rank(c.field, actual) < rank(c.field, want as string | number);
    case 'lte':
      return rank(c.field, actual) <= rank(c.field, want as string | number);
    default:
      return false;
  }
}

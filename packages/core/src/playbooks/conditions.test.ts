import { describe, expect, it } from 'vitest';
import { conditionSchema, evaluateCondition, type Condition } from './conditions.js';
import { NOW, incident } from './test-fixtures.js';

const check = (c: unknown, over = {}) => evaluateCondition(conditionSchema.parse(c) as Condition, incident(over), NOW);

describe('playbook conditions', () => {
  it('compares severities and statuses by rank', () => {
    expect(check({ field: 'incident.severity', op: 'gte', value: 'HIGH' })).toBe(true);
    expect(check({ field: 'incident.severity', op: 'gte', value: 'CRITICAL' })).toBe(false);
    expect(check({ field: 'incident.severity', op: 'lt', value: 'CRITICAL' })).toBe(true);
    expect(check({ field: 'incident.status', op: 'gte', value: 'CONTAINED' })).toBe(false);
    expect(check({ field: 'incident.status', op: 'gte', value: 'CONTAINED' }, { status: 'ERADICATED' })).toBe(true);
    expect(check({ field: 'incident.status', op: 'in', value: ['OPEN', 'TRIAGED'] })).toBe(true);
  });

  it('tests lists, counts, age and blast radius', () => {
    expect(check({ field: 'incident.rules', op: 'contains', value: 'WORM_FAN_OUT' })).toBe(true);
    expect(check({ field: 'incident.rules', op: 'ne', value: 'WORM_FAN_OUT' })).toBe(false);
    expect(check({ field: 'incident.deviceCount', op: 'eq', value: 2 })).toBe(true);
    expect(check({ field: 'incident.ageSeconds', op: 'gte', value: 600 })).toBe(true);
    expect(check({ field: 'incident.ageSeconds', op: 'gt', value: 600 })).toBe(false);
    expect(check({ field: 'blast_radius.tier1', op: 'gte', value: 10 })).toBe(false);
  });

  it('combines with all, any and not', () => {
    const sev = { field: 'incident.severity', op: 'eq', value: 'HIGH' };
    const many = { field: 'incident.deviceCount', op: 'gt', value: 5 };
    expect(check({ all: [sev, many] })).toBe(false);
    expect(check({ any: [sev, many] })).toBe(true);
    expect(check({ not: { all: [sev, many] } })).toBe(true);
  });

  it('refuses mismatched values', () => {
    expect(conditionSchema.safeParse({ field: 'incident.deviceCount', op: 'gt', value: 'many' }).success).toBe(false);
    expect(conditionSchema.safeParse({ field: 'incident.severity', op: 'in', value: 'HIGH' }).success).toBe(false);
    expect(conditionSchema.safeParse({ field: 'incident.severity', op: 'contains', value: 'HIGH' }).success).toBe(false);
    expect(conditionSchema.safeParse({ all: [] }).success).toBe(false);
  });
});

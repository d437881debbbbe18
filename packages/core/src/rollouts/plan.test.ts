import { describe, expect, it } from 'vitest';
import { orderTargets, planWaves, selectTargets, type CandidateDevice } from './plan.js';

const MODEL = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const dev = (i: number, over: Partial<CandidateDevice> = {}): CandidateDevice => ({
  id: `d${String(i).padStart(4, '0')}`,
  modelId: MODEL,
  firmwareVersion: '1.0.0',
  status: 'ACTIVE',
  criticality: 'MEDIUM',
  otaCapable: true,
  busy: false,
  ...over,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`);

describe('planWaves', () => {
  it('cuts 1%, 10%, 50%, 100% of 200 devices into 2, 18, 80, 100', () => {
    const waves = planWaves(ids(200), [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }]);
    expect(waves.map((w) => w.deviceIds.length)).toEqual([2, 18, 80, 100]);
    expect(new Set(waves.flatMap((w) => w.deviceIds)).size).toBe(200);
  });

  it('rounds small percentages up to one device and drops empty waves', () => {
    const waves = planWaves(ids(3), [{ percent: 1 }, { percent: 2 }, { percent: 100 }]);
    expect(waves.map((w) => w.deviceIds.length)).toEqual([1, 2]);
    expect(waves.map((w) => w.index)).toEqual([0, 1]);
  });

  it('takes explicit sizes and puts leftovers in the last wave', () => {
    const waves = planWaves(ids(10), [{ size: 1 }, { size: 3 }]);
    expect(waves.map((w) => w.deviceIds.length)).toEqual([1, 9]);
  });
});

describe('selectTargets', () => {
  it('reports devices it cannot update instead of targeting them', () => {
    const devices = [
      dev(1),
      dev(2, { otaCapable: false }),
      dev(3, { modelId: OTHER }),
      dev(4, { firmwareVersion: '1.4.0' }),
      dev(5, { status: 'RETIRED' }),
      dev(6, { busy: true }),
      dev(7, { status: 'QUARANTINED' }),
    ];
    const { targets, exclusions } = selectTargets(devices, {}, { modelId: MODEL, version: '1.4.0' });
    expect(targets.map((t) => t.id)).toEqual(['d0001', 'd0007']);
    expect(Object.fromEntries(exclusions.map((e) => [e.deviceId, e.reason]))).toEqual({
      d0002: 'NOT_OTA_CAPABLE',
      d0003: 'WRONG_MODEL',
      d0004: 'ALREADY_ON_RELEASE',
      d0005: 'RETIRED',
      d0006: 'BUSY',
    });
  });

  it('applies the version range to the reported version', () => {
    const devices = [dev(1, { firmwareVersion: '0.9.0' }), dev(2, { firmwareVersion: '1.2.3' }), dev(3, { firmwareVersion: null })];
    const { targets, exclusions } = selectTargets(devices, { versionRange: '>=1.0.0 <1.4.0' }, { modelId: MODEL, version: '1.4.0' });
    expect(targets.map((t) => t.id)).toEqual(['d0002']);
    expect(exclusions).toEqual([]);
  });
});

describe('orderTargets', () => {
  it('puts the least critical devices first and is stable for a seed', () => {
    const devices = [dev(1, { criticality: 'CRITICAL' }), dev(2, { criticality: 'LOW' }), dev(3), dev(4), dev(5)];
    const a = orderTargets(devices, 'seed').map((d) => d.id);
    expect(a[0]).toBe('d0002');
    expect(a.at(-1)).toBe('d0001');
    expect(orderTargets([...devices].reverse(), 'seed').map((d) => d.id)).toEqual(a);
  });
});

import { describe, expect, it } from 'vitest';
import type { AdvisoryRange } from '../blast-radius/types.js';
import { fixedReleaseFor, planEmergencyPatch, type PatchDevice, type PatchRelease } from './plan.js';

const range = (modelId: string, over: Partial<AdvisoryRange> = {}): AdvisoryRange => ({
  advisoryId: 'adv', externalId: 'CVE-2026-0001', severity: 'CRITICAL', modelId, introduced: '1.0.0', fixed: '1.4.0', fixAvailable: true, ...over,
});
const rel = (id: string, modelId: string, version: string): PatchRelease => ({ id, modelId, version });
const dev = (id: string, modelId: string, firmwareVersion: string | null, over: Partial<PatchDevice> = {}): PatchDevice => ({
  id, modelId, firmwareVersion, otaCapable: true, retired: false, ...over,
});

describe('the release that fixes a model', () => {
  const releases = [rel('c13', 'cam', '1.3.0'), rel('c15', 'cam', '1.5.0'), rel('c14', 'cam', '1.4.0'), rel('c20', 'cam', '2.0.0'), rel('b9', 'bulb', '9.0.0')];

  it('is the lowest release at or past every fix', () => {
    expect(fixedReleaseFor('cam', [range('cam')], releases)?.id).toBe('c14');
    expect(fixedReleaseFor('cam', [range('cam'), range('cam', { advisoryId: 'b', fixed: '1.5.0' })], releases)?.id).toBe('c15');
  });

  it('skips a release a later range affects again, and is past lastAffected', () => {
    expect(fixedReleaseFor('cam', [range('cam'), range('cam', { advisoryId: 'b', introduced: '1.4.0', fixed: '2.0.0' })], releases)?.id).toBe('c20');
    expect(fixedReleaseFor('cam', [range('cam', { fixed: null, lastAffected: '1.4.0' })], releases)?.id).toBe('c15');
  });

  it('is none when nothing fixes it, never a downgrade below the affected range', () => {
    expect(fixedReleaseFor('cam', [range('cam', { fixed: '3.0.0' })], releases)).toBeNull();
    expect(fixedReleaseFor('cam', [range('cam', { introduced: '1.4.0', fixed: null })], releases)).toBeNull();
    expect(fixedReleaseFor('bulb', [range('cam')], releases)).toBeNull();
  });
});

describe('planning an emergency patch', () => {
  const releases = [rel('c14', 'cam', '1.4.0'), rel('h2', 'hub', '2.1.0')];
  const ranges = [range('cam'), range('hub', { fixed: '2.1.0' }), range('old', { fixed: '9.0.0' })];

  it('groups devices by the fixed release of their model and keeps the exposure order', () => {
    const devices = [dev('h1', 'hub', '2.0.0'), dev('c1', 'cam', '1.1.0'), dev('h2', 'hub', '1.9.9'), dev('c2', 'cam', '1.3.9')];
    expect(planEmergencyPatch({ devices, ranges, releases }).groups).toEqual([
      { release: releases[1], deviceIds: ['h1', 'h2'] },
      { release: releases[0], deviceIds: ['c1', 'c2'] },
    ]);
  });

  it('says why every other device is left out', () => {
    const devices = [
      dev('patched', 'cam', '1.4.0'),
      dev('bulb', 'bulb', '1.0.0'),
      dev('legacy', 'cam', '1.1.0', { otaCapable: false }),
      dev('gone', 'cam', '1.1.0', { retired: true }),
      dev('unknown', 'cam', null),
      dev('nofix', 'old', '1.0.0'),
      dev('dup', 'cam', '1.1.0'),
      dev('dup', 'cam', '1.1.0'),
    ];
    const plan = planEmergencyPatch({ devices, ranges, releases });
    expect(plan.groups).toEqual([{ release: releases[0], deviceIds: ['dup'] }]);
    expect(Object.fromEntries(plan.skipped.map((s) => [s.deviceId, s.reason]))).toEqual({
      patched: 'NOT_AFFECTED', bulb: 'NOT_AFFECTED', legacy: 'NOT_OTA_CAPABLE', gone: 'RETIRED', unknown: 'UNKNOWN_VERSION', nofix: 'NO_FIXED_RELEASE',
    });
  });

  it('with a release named, targets its model below its version only', () => {
    const release = rel('c15', 'cam', '1.5.0');
    const devices = [dev('c1', 'cam', '1.4.0'), dev('c2', 'cam', '1.5.0'), dev('c3', 'cam', '2.0.0'), dev('h1', 'hub', '1.0.0'), dev('c4', 'cam', null)];
    const plan = planEmergencyPatch({ devices, ranges: [], releases: [], release });
    expect(plan.groups).toEqual([{ release, deviceIds: ['c1'] }]);
    expect(plan.skipped.map((s) => `${s.deviceId}:${s.reason}`)).toEqual(['c2:NOT_AFFECTED', 'c3:NOT_AFFECTED', 'h1:WRONG_MODEL', 'c4:UNKNOWN_VERSION']);
  });
});

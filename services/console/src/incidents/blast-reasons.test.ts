import { describe, expect, it } from 'vitest';
import { describeReason } from './blast-reasons.js';

const names = { device: (id: string) => ({ d1: 'F2 Hub 0010' })[id], segment: (id: string) => ({ s1: 'iot-f2' })[id] };

describe('blast-radius reasons in words', () => {
  it('says who contacted whom, which way, how far out and how often', () => {
    expect(describeReason({ kind: 'CONTACTED', hops: 1, via: 'd1', contactedBy: true, contacted: false, count: 24, bytes: 9000 }, names)).toBe('contacted by F2 Hub 0010 (24 connections)');
    expect(describeReason({ kind: 'CONTACTED', hops: 1, via: 'd1', contactedBy: false, contacted: true, count: 1, bytes: 10 }, names)).toBe('contacted F2 Hub 0010 (1 connection)');
    expect(describeReason({ kind: 'CONTACTED', hops: 2, via: 'dx', contactedBy: true, contacted: true, count: 0, bytes: 0 }, names)).toBe('2 hops out: in two-way contact with a compromised device');
  });

  it('names segments, advisories and what cannot be patched', () => {
    expect(describeReason({ kind: 'SAME_SEGMENT', segmentId: 's1' }, names)).toBe('on iot-f2');
    expect(describeReason({ kind: 'VULNERABLE_FIRMWARE', advisories: ['CVE-2026-0001', 'OSV-1'], fixAvailable: false }, names)).toBe('runs firmware with CVE-2026-0001, OSV-1 (no fix yet)');
    expect(describeReason({ kind: 'SAME_FIRMWARE', modelId: 'm', version: '1.2.0' }, names)).toBe('same model and firmware 1.2.0');
    expect(describeReason({ kind: 'UNPATCHABLE' }, names)).toBe('cannot be updated over the air');
  });
});

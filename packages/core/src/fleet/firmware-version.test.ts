import { describe, expect, it } from 'vitest';
import { compareFirmware, firmwareKey } from './firmware-version.js';

describe('firmwareKey', () => {
  it('orders versions numerically, not lexically', () => {
    const sorted = ['10.0.0', '1.10.0', '1.9.3', '1.9.3-rc.1', 'v2', '1.9'].sort(compareFirmware);
    expect(sorted).toEqual(['1.9', '1.9.3-rc.1', '1.9.3', '1.10.0', 'v2', '10.0.0']);
  });

  it('treats missing parts as zero and ignores build metadata', () => {
    expect(firmwareKey('2')).toBe(firmwareKey('2.0.0'));
    expect(firmwareKey('2.0.0+build.7')).toBe(firmwareKey('2.0.0'));
  });

  it('rejects what is not a version', () => {
    for (const v of ['', 'latest', '1..2', '1.2.3.4.5', '1.2.x']) expect(firmwareKey(v)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { demoOffice } from './office.js';

describe('the demo office', () => {
  it('marks exactly its cameras and badge readers fail-safe (containment leaves them connected)', () => {
    const office = demoOffice(42, 0.25);
    const kindOf = new Map(office.models.map((m) => [`${m.vendor}/${m.name}`, m.kind]));
    const failSafe = office.devices.filter((d) => d.failSafe === true);
    expect(failSafe.length).toBeGreaterThan(0);
    for (const d of office.devices) {
      const kind = kindOf.get(d.model as string);
      expect(d.failSafe, `${String(d.serial)} (${kind})`).toBe(kind === 'CAMERA' || kind === 'BADGE_READER');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0, device, message } from '../test-fixtures.js';
import { evaluateFirmwareHash, type ArtifactHashLookup } from './firmware-hash.js';

const GOOD = 'a'.repeat(64);
const OTHER_PART = 'b'.repeat(64);
const EVIL = 'e'.repeat(64);
const lookup: ArtifactHashLookup = (modelId, version) => (modelId === device().modelId && version === '2.1.0' ? [GOOD, OTHER_PART] : null);
const cfg = DEFAULT_DETECTION_CONFIG.firmwareHash;
const check = (version: string, hash?: string, config = cfg) =>
  evaluateFirmwareHash(message(1, T0, { firmware: { version, hash } }), device(), config, lookup);

describe('firmware hash mismatch', () => {
  it('fires CRITICAL when the running image is not an artifact of the reported version', () => {
    const [a] = check('2.1.0', EVIL);
    expect(a).toMatchObject({ rule: 'FIRMWARE_HASH_MISMATCH', severity: 'CRITICAL', evidence: { reason: 'HASH_MISMATCH', reportedHash: EVIL } });
  });

  it('does not fire for any artifact of the release, whatever the hex case', () => {
    expect(check('2.1.0', GOOD)).toEqual([]);
    expect(check('2.1.0', OTHER_PART.toUpperCase())).toEqual([]);
  });

  it('does not fire without a reported hash, or for another model with that version', () => {
    expect(check('2.1.0')).toEqual([]);
    expect(evaluateFirmwareHash(message(1, T0, { firmware: { version: '2.1.0', hash: EVIL } }), device({ modelId: 'other' }), cfg, lookup)).toEqual([]);
  });

  it('stays quiet for an unknown version unless configured, then raises MEDIUM', () => {
    expect(check('9.9.9', EVIL)).toEqual([]);
    expect(check('9.9.9', EVIL, { ...cfg, alertOnUnknownVersion: true })[0]).toMatchObject({ severity: 'MEDIUM', evidence: { reason: 'UNKNOWN_VERSION' } });
  });

  it('keys the alert by version and hash, so a second tampered image is a new alert', () => {
    expect(check('2.1.0', EVIL)[0]!.dedupKey).not.toBe(check('2.1.0', 'f'.repeat(64))[0]!.dedupKey);
  });
});

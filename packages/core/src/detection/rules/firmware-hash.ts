import type { DetectionConfig } from '../config.js';
import { dedupKey, stableId, windowBucket } from '../dedup.js';
import type { AlertDraft, DetectionEvent, DeviceFacts } from '../types.js';

/**
 * The SHA-256 digests of the artifacts of a model's release with that version, or null when no
 * such release is known. Supplied by the stream processor from the firmware catalogue.
 */
export type ArtifactHashLookup = (modelId: string, version: string) => readonly string[] | null;

/** The running image does not hash to any artifact of the version the device claims to run. */
export function evaluateFirmwareHash(
  event: DetectionEvent,
  device: DeviceFacts,
  config: DetectionConfig['firmwareHash'],
  artifactHashes: ArtifactHashLookup,
): AlertDraft[] {
  const fw = event.firmware;
  if (!config.enabled || !fw?.hash) return [];
  const expected = artifactHashes(device.modelId, fw.version);
  const reported = fw.hash.toLowerCase();
  let reason: 'HASH_MISMATCH' | 'UNKNOWN_VERSION';
  if (expected === null || expected.length === 0) {
    if (!config.alertOnUnknownVersion) return [];
    reason = 'UNKNOWN_VERSION';
  } else if (expected.some((h) => h.toLowerCase() === reported)) {
    return [];
  } else {
    reason = 'HASH_MISMATCH';
  }
  const windowMs = config.realertSeconds * 1000;
  const bucket = windowBucket(event.ts, windowMs);
  const key = dedupKey('FIRMWARE_HASH_MISMATCH', `device:${device.id}:${fw.version}:${reported}`, bucket);
  return [
    {
      id: stableId(key),
      dedupKey: key,
      rule: 'FIRMWARE_HASH_MISMATCH',
      severity: reason === 'HASH_MISMATCH' ? 'CRITICAL' : 'MEDIUM',
      deviceId: device.id,
      segmentId: device.segmentId,
      summary:
        reason === 'HASH_MISMATCH'
          ? `running image ${reported.slice(0, 12)}… is not the artifact of version ${fw.version}`
          : `reports version ${fw.version}, which has no known artifact`,
      evidence: { reason, version: fw.version, reportedHash: reported, expectedHashes: expected ?? [] },
      windowStart: bucket * windowMs,
      observedAt: event.ts,
    },
  ];
}

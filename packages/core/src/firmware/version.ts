import semver from 'semver';

/**
 * Firmware versions are semantic versions. Devices sometimes report a loose form ("v1.4",
 * "1.4.0-rc1"); `normalizeVersion` accepts what `semver.coerce` can read for reported versions,
 * while releases must be valid semver.
 */
export function isValidVersion(v: string): boolean {
  return semver.valid(v) !== null;
}

/** A device's reported version as semver, or null when it cannot be read. */
export function normalizeVersion(v: string | null | undefined): string | null {
  if (!v) return null;
  return semver.valid(v) ?? semver.coerce(v, { includePrerelease: true })?.version ?? null;
}

export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

/** Whether `version` satisfies a semver range such as ">=1.2.0 <1.4.0" (unreadable versions never do). */
export function versionInRange(version: string | null | undefined, range: string): boolean {
  const v = normalizeVersion(version);
  return v !== null && semver.satisfies(v, range, { includePrerelease: true });
}

export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

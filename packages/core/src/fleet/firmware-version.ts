/**
 * Firmware versions as devices report them ("1.4.0", "v2.1", "3.0.0-rc.2", "2024.1.15") turned
 * into a key that sorts like the versions do, so "firmware below 2.0" is an indexed range scan.
 *
 * Each numeric part is zero-padded to 9 digits (up to 4 parts). A release sorts after its
 * pre-releases: the key ends in "~" for a release and "-<pre-release>" otherwise ("~" > "-").
 */
const VERSION = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.-]{1,64}))?(?:\+[0-9A-Za-z.-]{1,64})?$/;

export function firmwareKey(version: string): string | null {
  const m = VERSION.exec(version.trim());
  if (!m) return null;
  const nums = [m[1], m[2], m[3], m[4]].map((p) => (p ?? '0').padStart(9, '0'));
  const pre = m[5];
  return `${nums.join('.')}${pre ? `-${pre.toLowerCase()}` : '~'}`;
}

export function isValidFirmwareVersion(version: string): boolean {
  return firmwareKey(version) !== null;
}

/** Compares two versions; unparseable versions sort first. */
export function compareFirmware(a: string, b: string): number {
  const ka = firmwareKey(a) ?? '';
  const kb = firmwareKey(b) ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

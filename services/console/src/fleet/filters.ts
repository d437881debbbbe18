/**
 * The device table's filters and sort, kept in the address bar (`?status=ACTIVE&kind=CAMERA`) so a
 * filtered view can be bookmarked, shared, saved as a view and restored with the back button.
 */
export interface FleetFilters {
  q?: string;
  status?: string;
  kind?: string;
  model?: string;
  segment?: string;
  site?: string;
  firmware?: string;
  firmwareBelow?: string;
  tag?: string;
  seenBefore?: string;
  seenAfter?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
}

export const FILTER_KEYS = ['q', 'status', 'kind', 'model', 'segment', 'site', 'firmware', 'firmwareBelow', 'tag', 'seenBefore', 'seenAfter', 'sort', 'dir'] as const;

export function parseFilters(search: string): FleetFilters {
  const params = new URLSearchParams(search);
  const out: FleetFilters = {};
  for (const key of FILTER_KEYS) {
    const v = params.get(key);
    if (v) (out as Record<string, string>)[key] = v;
  }
  if (out.dir && out.dir !== 'asc' && out.dir !== 'desc') delete out.dir;
  return out;
}

export function serializeFilters(f: FleetFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = f[key];
    if (v) params.set(key, v);
  }
  return params.toString();
}

/** Filters other than the sort order: what decides which devices match. */
export function activeFilterCount(f: FleetFilters): number {
  return FILTER_KEYS.filter((k) => k !== 'sort' && k !== 'dir' && f[k]).length;
}

import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';

/**
 * Page state kept in the address (`/incidents?status=OPEN`), so a view can be bookmarked, shared
 * and restored with the back button. Only `keys` are read; empty values are left out.
 */
export function useAddressParams<K extends string>(keys: readonly K[]): [Partial<Record<K, string>>, (next: Partial<Record<K, string>>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const values = useMemo(() => {
    const params = new URLSearchParams(search);
    const out: Partial<Record<K, string>> = {};
    for (const k of keys) {
      const v = params.get(k);
      if (v) out[k] = v;
    }
    return out;
    // `keys` is a constant list per page.
  }, [search]);
  const set = useCallback(
    (next: Partial<Record<K, string>>) => {
      const params = new URLSearchParams();
      for (const k of keys) if (next[k]) params.set(k, next[k]);
      const qs = params.toString();
      navigate(qs ? `${location}?${qs}` : location, { replace: true });
    },
    [location, navigate],
  );
  return [values, set];
}

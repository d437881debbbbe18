import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { parseFilters, serializeFilters, type FleetFilters } from './filters.js';

/** The fleet filters from the address bar, and a setter that keeps them there. */
export function useFleetFilters(): [FleetFilters, (next: FleetFilters, opts?: { replace?: boolean }) => void] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => parseFilters(search), [search]);
  const set = useCallback(
    (next: FleetFilters, opts: { replace?: boolean } = {}) => navigate(`/?${serializeFilters(next)}`, { replace: opts.replace ?? false }),
    [navigate],
  );
  return [filters, set];
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { DEVICE_KINDS, DEVICE_STATUSES, PLACES, type PlacesResult } from '../api/fleet.js';
import { gql } from '../lib/graphql.js';
import { humanize } from '../ui/format.js';
import { activeFilterCount, type FleetFilters } from './filters.js';

export function usePlaces() {
  return useQuery({ queryKey: ['places'], queryFn: ({ signal }) => gql<PlacesResult>(PLACES, {}, { signal }), staleTime: 60_000 });
}

/** Text that settles for `ms` before it is applied, so typing does not send a query per key. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function FilterBar({ filters, onChange }: { filters: FleetFilters; onChange: (f: FleetFilters, opts?: { replace?: boolean }) => void }) {
  const places = usePlaces().data;
  const [text, setText] = useState(filters.q ?? '');
  const [tag, setTag] = useState(filters.tag ?? '');
  const [below, setBelow] = useState(filters.firmwareBelow ?? '');
  const settledText = useDebounced(text, 300);
  const settledTag = useDebounced(tag, 400);
  const settledBelow = useDebounced(below, 400);

  // Keep the inputs in step when the filters change from elsewhere (a saved view, the back button).
  useEffect(() => setText(filters.q ?? ''), [filters.q]);
  useEffect(() => setTag(filters.tag ?? ''), [filters.tag]);
  useEffect(() => setBelow(filters.firmwareBelow ?? ''), [filters.firmwareBelow]);
  useEffect(() => {
    if ((filters.q ?? '') !== settledText || (filters.tag ?? '') !== settledTag || (filters.firmwareBelow ?? '') !== settledBelow) {
      onChange({ ...filters, q: settledText || undefined, tag: settledTag || undefined, firmwareBelow: settledBelow || undefined }, { replace: true });
    }
    // Only settled text drives this (not `filters`): a filter changed elsewhere must not be
    // overwritten by text typed before it.
  }, [settledText, settledTag, settledBelow]);

  const set = (key: keyof FleetFilters) => (e: { target: { value: string } }) => onChange({ ...filters, [key]: e.target.value || undefined });
  const segments = places?.segments ?? [];
  const models = places?.deviceModels ?? [];

  return (
    <div className="filters" role="search" aria-label="Device filters">
      <div className="field grow">
        <label htmlFor="f-q">Search</label>
        <input id="f-q" type="search" placeholder="Name, serial, IP, MAC, owner, location" value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="f-status">Status</label>
        <select id="f-status" value={filters.status ?? ''} onChange={set('status')}>
          <option value="">Any</option>
          {DEVICE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-kind">Kind</label>
        <select id="f-kind" value={filters.kind ?? ''} onChange={set('kind')}>
          <option value="">Any</option>
          {DEVICE_KINDS.map((k) => (
            <option key={k} value={k}>
              {humanize(k)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-model">Model</label>
        <select id="f-model" value={filters.model ?? ''} onChange={set('model')}>
          <option value="">Any</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.vendor} {m.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-site">Site</label>
        <select id="f-site" value={filters.site ?? ''} onChange={set('site')}>
          <option value="">Any</option>
          {(places?.sites ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-segment">Segment</label>
        <select id="f-segment" value={filters.segment ?? ''} onChange={set('segment')}>
          <option value="">Any</option>
          {segments
            .filter((s) => !filters.site || s.site.id === filters.site)
            .map((s) => (
              <option key={s.id} value={s.id}>
                {s.site.code} / {s.name}
              </option>
            ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-below">Firmware below</label>
        <input id="f-below" size={8} placeholder="e.g. 2.0.0" value={below} onChange={(e) => setBelow(e.target.value.trim())} />
      </div>
      <div className="field">
        <label htmlFor="f-tag">Tags</label>
        <input id="f-tag" size={10} placeholder="floor-2, lobby" value={tag} onChange={(e) => setTag(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="f-seen-before">Not seen since</label>
        <input id="f-seen-before" type="datetime-local" value={filters.seenBefore ?? ''} onChange={set('seenBefore')} />
      </div>
      <div className="field">
        <label htmlFor="f-seen-after">Seen after</label>
        <input id="f-seen-after" type="datetime-local" value={filters.seenAfter ?? ''} onChange={set('seenAfter')} />
      </div>
      {activeFilterCount(filters) > 0 && (
        <button type="button" onClick={() => onChange({ sort: filters.sort, dir: filters.dir })}>
          Clear filters
        </button>
      )}
    </div>
  );
}

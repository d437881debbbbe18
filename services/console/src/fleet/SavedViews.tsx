import { useState } from 'react';
import { useAuth } from '../auth/AuthContext.js';
import { parseFilters, serializeFilters, type FleetFilters } from './filters.js';
import { loadViews, storeViews, type SavedView } from './views.js';

/** Named filter + sort combinations, kept per user in this browser. */
export function SavedViews({ filters, onApply }: { filters: FleetFilters; onApply: (f: FleetFilters) => void }) {
  const { user } = useAuth();
  const userId = user?.id ?? 'anonymous';
  const [views, setViews] = useState<SavedView[]>(() => loadViews(userId));
  const [name, setName] = useState('');
  const current = serializeFilters(filters);

  function save() {
    const trimmed = name.trim();
    if (!trimmed) return;
    const next = [...views.filter((v) => v.name !== trimmed), { name: trimmed, query: current }];
    storeViews(userId, next);
    setViews(next);
    setName('');
  }

  function remove(view: SavedView) {
    const next = views.filter((v) => v !== view);
    storeViews(userId, next);
    setViews(next);
  }

  return (
    <div className="views" aria-label="Saved views" role="group">
      <span className="muted small">Saved views:</span>
      {views.length === 0 && <span className="muted small">none yet</span>}
      {views.map((v) => (
        <span className="chip" key={v.name}>
          <button type="button" aria-pressed={v.query === current} onClick={() => onApply(parseFilters(v.query))}>
            {v.name}
          </button>
          <button type="button" aria-label={`Delete view ${v.name}`} onClick={() => remove(v)}>
            ×
          </button>
        </span>
      ))}
      <form
        className="views"
        style={{ marginTop: 0, marginLeft: 'auto' }}
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label htmlFor="view-name" className="small">
          Save current view as
        </label>
        <input id="view-name" size={16} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Stale cameras" />
        <button type="submit" disabled={!name.trim()}>
          Save view
        </button>
      </form>
    </div>
  );
}

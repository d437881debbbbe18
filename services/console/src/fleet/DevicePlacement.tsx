import { useState, type FormEvent } from 'react';
import { MOVE_DEVICES, TAG_DEVICES, type DeviceDetail } from '../api/fleet.js';
import { useAuth } from '../auth/AuthContext.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';
import { usePlaces } from './FilterBar.js';

/** Where the device sits (site, segment) and how it is tagged; operators can move and re-tag it. */
export function DevicePlacement({ device, onChanged }: { device: DeviceDetail; onChanged: () => Promise<void> }) {
  const { can } = useAuth();
  const places = usePlaces().data;
  const [segmentId, setSegmentId] = useState(device.segment?.id ?? '');
  const [newTag, setNewTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = can('OPERATOR') && device.status !== 'RETIRED';

  async function run(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  function addTag(e: FormEvent) {
    e.preventDefault();
    const tag = newTag.trim().toLowerCase();
    if (!tag) return;
    void run(async () => {
      await gql(TAG_DEVICES, { ids: [device.id], add: [tag] });
      setNewTag('');
    });
  }

  const seg = device.segment;
  return (
    <Panel title="Network and tags">
      <dl className="facts">
        <dt>Site</dt>
        <dd>{seg ? seg.site.code : '—'}</dd>
        <dt>Segment</dt>
        <dd>{seg ? `${seg.name} (${seg.zone.toLowerCase()}, ${seg.cidr})` : 'not placed on a segment'}</dd>
        <dt>Tags</dt>
        <dd>
          {device.tags.length === 0 && <span className="muted">none</span>}
          <span className="tags">
            {device.tags.map((t) => (
              <span className="tag" key={t}>
                {t}
                {editable && (
                  <button
                    type="button"
                    className="link"
                    style={{ marginLeft: '0.3rem' }}
                    aria-label={`Remove tag ${t}`}
                    disabled={busy}
                    onClick={() => void run(() => gql(TAG_DEVICES, { ids: [device.id], remove: [t] }))}
                  >
                    ×
                  </button>
                )}
              </span>
            ))}
          </span>
        </dd>
      </dl>
      {editable && (
        <Requires role="OPERATOR">
          <form className="filters" style={{ marginTop: '0.75rem' }} onSubmit={addTag}>
            <div className="field">
              <label htmlFor="add-tag">Add tag</label>
              <input id="add-tag" size={14} value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder="floor-2" />
            </div>
            <button type="submit" disabled={busy || !newTag.trim()}>
              Add tag
            </button>
          </form>
          <form
            className="filters"
            style={{ marginTop: '0.5rem' }}
            onSubmit={(e) => {
              e.preventDefault();
              if (segmentId && segmentId !== seg?.id) void run(() => gql(MOVE_DEVICES, { ids: [device.id], segmentId }));
            }}
          >
            <div className="field">
              <label htmlFor="move-segment">Segment</label>
              <select id="move-segment" value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
                {!seg && <option value="">Choose a segment</option>}
                {(places?.segments ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.site.code} / {s.name} ({s.zone.toLowerCase()})
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" disabled={busy || !segmentId || segmentId === seg?.id}>
              Move to segment
            </button>
          </form>
        </Requires>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Panel>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { CREATE_ROLLOUT, RELEASES, type ReleasesResult } from '../api/rollouts.js';
import { usePlaces } from '../fleet/FilterBar.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { formatCount } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';

/** Cumulative wave percentages → devices per wave, as the planner cuts them. */
export function waveSizes(total: number, percents: number[]): number[] {
  let done = 0;
  return percents.map((pct) => {
    const upTo = Math.min(total, Math.max(done + 1, Math.ceil((total * pct) / 100)));
    const size = Math.max(0, upTo - done);
    done += size;
    return size;
  });
}

const DEVICE_COUNT = /* GraphQL */ `
  query ConsoleDeviceCount($filter: DeviceFilter) {
    devices(filter: $filter, first: 0) {
      totalCount
    }
  }
`;
const count = (filter: object) => gql<{ devices: { totalCount: number } }>(DEVICE_COUNT, { filter }).then((r) => r.devices.totalCount);

/** Plan a rollout: release, targets (with a live device count), waves, thresholds and window. */
export function NewRolloutPage() {
  const [, navigate] = useLocation();
  const places = usePlaces().data;
  const releases = useQuery({ queryKey: ['releases'], queryFn: ({ signal }) => gql<ReleasesResult>(RELEASES, {}, { signal }) });
  const [form, setForm] = useState({
    name: '',
    releaseId: '',
    segmentIds: [] as string[],
    tags: '',
    versionRange: '',
    waves: '1, 10, 50, 100',
    successThresholdPct: 95,
    errorThresholdPct: 10,
    errorAction: 'ABORT',
    windowStart: '',
    windowMinutes: 240,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    emergency: false,
    requiresApproval: true,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const release = releases.data?.releases.find((r) => r.id === form.releaseId);
  const tags = form.tags.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
  const percents = form.waves.split(/[,\s]+/).map(Number).filter((n) => n > 0 && n <= 100);

  // The registry's filter for the same targets, for the preview counts.
  const previewFilter = release
    ? { modelIds: [release.model.id], statuses: ['PROVISIONING', 'ACTIVE'], ...(form.segmentIds.length ? { segmentIds: form.segmentIds } : {}), ...(tags.length ? { anyTags: tags } : {}) }
    : null;
  const preview = useQuery({
    queryKey: ['rolloutPreview', previewFilter],
    enabled: previewFilter !== null,
    queryFn: async () => {
      const [matching, notOta] = await Promise.all([count(previewFilter!), count({ ...previewFilter!, otaCapable: false })]);
      return { matching, notOta };
    },
  });
  const updatable = preview.data ? preview.data.matching - preview.data.notOta : 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const filter = {
      ...(form.segmentIds.length ? { segmentIds: form.segmentIds } : {}),
      ...(tags.length ? { tags } : {}),
      ...(form.versionRange.trim() ? { versionRange: form.versionRange.trim() } : {}),
    };
    const input = {
      name: form.name.trim(),
      releaseId: form.releaseId,
      filter,
      waves: percents.map((percent) => ({ percent })),
      successThresholdPct: form.successThresholdPct,
      errorThresholdPct: form.errorThresholdPct,
      errorAction: form.errorAction,
      emergency: form.emergency,
      requiresApproval: form.requiresApproval,
      ...(form.windowStart ? { maintenanceWindow: { start: form.windowStart, durationMinutes: form.windowMinutes, timezone: form.timezone } } : {}),
    };
    try {
      const r = await gql<{ createRollout: { id: string } }>(CREATE_ROLLOUT, { input });
      navigate(`/rollouts/${r.createRollout.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => setForm({ ...form, [key]: value });

  return (
    <>
      <p className="small">
        <Link href="/rollouts">← Rollouts</Link>
      </p>
      <h1>New rollout</h1>
      <form onSubmit={submit}>
        <div className="grid-2">
          <Panel title="What and where">
            <div className="form-grid">
              <div className="field">
                <label htmlFor="nr-name">Rollout name</label>
                <input id="nr-name" required value={form.name} onChange={(e) => set('name', e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="nr-release">Release</label>
                <select id="nr-release" required value={form.releaseId} onChange={(e) => set('releaseId', e.target.value)}>
                  <option value="">Choose a release</option>
                  {(releases.data?.releases ?? []).map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.model.vendor} {r.model.name} {r.version}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="nr-tags">Only devices tagged (any of)</label>
                <input id="nr-tags" placeholder="floor-2, lobby" value={form.tags} onChange={(e) => set('tags', e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="nr-range">Current firmware range</label>
                <input id="nr-range" placeholder=">=1.0.0 <1.4.0" value={form.versionRange} onChange={(e) => set('versionRange', e.target.value)} />
              </div>
            </div>
            <fieldset style={{ marginTop: '0.75rem' }}>
              <legend>Segments (none chosen: all)</legend>
              {(places?.segments ?? []).map((s) => (
                <label key={s.id} style={{ marginRight: '1rem', fontWeight: 'normal' }}>
                  <input
                    type="checkbox"
                    checked={form.segmentIds.includes(s.id)}
                    onChange={(e) => set('segmentIds', e.target.checked ? [...form.segmentIds, s.id] : form.segmentIds.filter((x) => x !== s.id))}
                  />{' '}
                  {s.site.code}/{s.name}
                </label>
              ))}
            </fieldset>
          </Panel>
          <Panel title="Preview">
            {!release ? (
              <p className="muted">Choose a release to see which devices it would reach.</p>
            ) : preview.isPending ? (
              <p className="muted">Counting…</p>
            ) : preview.data ? (
              <div role="status" aria-live="polite" data-testid="rollout-preview">
                <p>
                  <strong>{formatCount(preview.data.matching)}</strong> {release.model.vendor} {release.model.name} devices match
                  {preview.data.notOta > 0 && (
                    <>
                      ; <strong className="error-text">{formatCount(preview.data.notOta)}</strong> cannot be updated over the air and will be skipped
                    </>
                  )}
                  .
                </p>
                <p className="small">
                  Waves:{' '}
                  {waveSizes(updatable, percents)
                    .map((n, i) => `${percents[i]}% → ${formatCount(n)}`)
                    .join(' · ')}
                </p>
                <p className="muted small">
                  Devices already on {release.version}{form.versionRange ? ', outside the firmware range' : ''} or busy with another update are skipped too; the
                  plan you create lists every skipped device before anything starts.
                </p>
              </div>
            ) : null}
          </Panel>
        </div>
        <Panel title="Waves, thresholds and window">
          <div className="filters">
            <div className="field">
              <label htmlFor="nr-waves">Waves (cumulative %)</label>
              <input id="nr-waves" value={form.waves} onChange={(e) => set('waves', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="nr-success">Next wave at success %</label>
              <input id="nr-success" type="number" min={0} max={100} value={form.successThresholdPct} onChange={(e) => set('successThresholdPct', Number(e.target.value))} />
            </div>
            <div className="field">
              <label htmlFor="nr-error">Stop at failure %</label>
              <input id="nr-error" type="number" min={0} max={100} value={form.errorThresholdPct} onChange={(e) => set('errorThresholdPct', Number(e.target.value))} />
            </div>
            <div className="field">
              <label htmlFor="nr-action">On too many failures</label>
              <select id="nr-action" value={form.errorAction} onChange={(e) => set('errorAction', e.target.value)}>
                <option value="ABORT">Abort</option>
                <option value="PAUSE">Pause</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="nr-window">Window starts (optional)</label>
              <input id="nr-window" type="time" value={form.windowStart} onChange={(e) => set('windowStart', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="nr-window-min">Window minutes</label>
              <input id="nr-window-min" type="number" min={1} max={1440} value={form.windowMinutes} onChange={(e) => set('windowMinutes', Number(e.target.value))} />
            </div>
            <div className="field">
              <label htmlFor="nr-tz">Time zone</label>
              <input id="nr-tz" value={form.timezone} onChange={(e) => set('timezone', e.target.value)} />
            </div>
            <label style={{ fontWeight: 'normal' }}>
              <input type="checkbox" checked={form.emergency} onChange={(e) => set('emergency', e.target.checked)} /> Emergency (no wait between waves)
            </label>
            <label style={{ fontWeight: 'normal' }}>
              <input type="checkbox" checked={form.requiresApproval} onChange={(e) => set('requiresApproval', e.target.checked)} /> Needs an admin's approval
            </label>
          </div>
        </Panel>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !form.releaseId || percents.length === 0}>
            {busy ? 'Planning…' : 'Create rollout'}
          </button>
        </div>
      </form>
    </>
  );
}

import { useState, type FormEvent } from 'react';
import { CRITICALITIES, UPDATE_DEVICE, type DeviceDetail } from '../api/fleet.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { humanize } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';

const FIELDS = [
  { key: 'name', label: 'Name' },
  { key: 'firmwareVersion', label: 'Firmware version' },
  { key: 'ip', label: 'IP address' },
  { key: 'mac', label: 'MAC address' },
  { key: 'location', label: 'Location' },
  { key: 'owner', label: 'Owner' },
] as const;
type TextKey = (typeof FIELDS)[number]['key'];

/** Edits a device's own fields; sends only what changed (an emptied field is cleared). */
export function DeviceEditForm({ device, onDone }: { device: DeviceDetail; onDone: (saved: boolean) => void | Promise<void> }) {
  const initial = {
    name: device.name,
    firmwareVersion: device.firmwareVersion ?? '',
    ip: device.ip ?? '',
    mac: device.mac ?? '',
    location: device.location ?? '',
    owner: device.owner ?? '',
    criticality: device.criticality,
    status: device.status,
  };
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const settable = device.status === 'PROVISIONING' || device.status === 'ACTIVE';

  async function save(e: FormEvent) {
    e.preventDefault();
    const input: Record<string, string | null> = {};
    for (const { key } of FIELDS) {
      if (form[key] !== initial[key]) input[key] = key !== 'name' && form[key].trim() === '' ? null : form[key].trim();
    }
    if (form.criticality !== initial.criticality) input.criticality = form.criticality;
    if (settable && form.status !== initial.status) input.status = form.status;
    if (!Object.keys(input).length) return onDone(false);
    setBusy(true);
    setError(null);
    try {
      await gql(UPDATE_DEVICE, { id: device.id, input });
      await onDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const text = (key: TextKey) => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });

  return (
    <Panel title="Edit device">
      <form onSubmit={save}>
        <div className="form-grid">
          {FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`edit-${f.key}`}>{f.label}</label>
              <input id={`edit-${f.key}`} required={f.key === 'name'} {...text(f.key)} />
            </div>
          ))}
          <div className="field">
            <label htmlFor="edit-criticality">Criticality</label>
            <select id="edit-criticality" value={form.criticality} onChange={(e) => setForm({ ...form, criticality: e.target.value })}>
              {CRITICALITIES.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="edit-status">Status</label>
            <select
              id="edit-status"
              value={form.status}
              disabled={!settable}
              aria-describedby={settable ? undefined : 'edit-status-why'}
              onChange={(e) => setForm({ ...form, status: e.target.value })}
            >
              {settable ? (
                <>
                  <option value="PROVISIONING">Provisioning</option>
                  <option value="ACTIVE">Active</option>
                </>
              ) : (
                <option value={device.status}>{humanize(device.status)}</option>
              )}
            </select>
            {!settable && (
              <span id="edit-status-why" className="muted small">
                {device.status === 'QUARANTINED' ? 'Quarantine is lifted from its incident, not here.' : 'A retired device stays retired.'}
              </span>
            )}
          </div>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
          <button type="button" onClick={() => void onDone(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Panel>
  );
}

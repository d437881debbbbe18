import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { CRITICALITIES } from '../api/fleet.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { humanize } from '../ui/format.js';
import { usePlaces } from './FilterBar.js';

const REGISTER = /* GraphQL */ `
  mutation ConsoleRegisterDevice($input: RegisterDeviceInput!) {
    registerDevice(input: $input) {
      device {
        id
      }
      credential {
        token
      }
    }
  }
`;
interface RegisterResult {
  registerDevice: { device: { id: string }; credential: { token: string } | null };
}

const EMPTY = { serial: '', name: '', model: '', segment: '', firmwareVersion: '', ip: '', mac: '', tags: '', location: '', owner: '', criticality: 'MEDIUM', issueCredential: true };

/** Registers one device (OPERATOR); its first token, when issued, is shown once. */
export function RegisterDeviceDialog() {
  const dialog = useRef<HTMLDialogElement>(null);
  const places = usePlaces().data;
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ id: string; token: string | null } | null>(null);

  function open() {
    setForm(EMPTY);
    setError(null);
    setDone(null);
    dialog.current?.showModal();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input: Record<string, unknown> = { serial: form.serial.trim(), model: form.model, criticality: form.criticality, issueCredential: form.issueCredential };
    for (const key of ['name', 'segment', 'firmwareVersion', 'ip', 'mac', 'location', 'owner'] as const) {
      if (form[key].trim()) input[key] = form[key].trim();
    }
    const tags = form.tags.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
    if (tags.length) input.tags = tags;
    try {
      const r = await gql<RegisterResult>(REGISTER, { input });
      await queryClient.invalidateQueries({ queryKey: ['devices'] });
      await queryClient.invalidateQueries({ queryKey: ['fleetSummary'] });
      if (r.registerDevice.credential) setDone({ id: r.registerDevice.device.id, token: r.registerDevice.credential.token });
      else {
        dialog.current?.close();
        navigate(`/devices/${r.registerDevice.device.id}`);
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const text = (key: Exclude<keyof typeof EMPTY, 'issueCredential'>) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  });

  return (
    <>
      <button type="button" onClick={open}>
        Register device…
      </button>
      <dialog ref={dialog} aria-labelledby="register-title">
        <h2 id="register-title">Register a device</h2>
        {done ? (
          <div role="status">
            <p>
              <strong>Registered. The device token — copy it now; it cannot be shown again:</strong>
            </p>
            <p className="secret" data-testid="device-token">
              {done.token}
            </p>
            <div className="form-actions">
              <button
                type="button"
                className="primary"
                onClick={() => {
                  dialog.current?.close();
                  navigate(`/devices/${done.id}`);
                }}
              >
                Open the device
              </button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit}>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="reg-serial">Serial</label>
                <input id="reg-serial" required {...text('serial')} />
              </div>
              <div className="field">
                <label htmlFor="reg-name">Name (defaults to the serial)</label>
                <input id="reg-name" {...text('name')} />
              </div>
              <div className="field">
                <label htmlFor="reg-model">Model</label>
                <select id="reg-model" required {...text('model')}>
                  <option value="">Choose a model</option>
                  {(places?.deviceModels ?? []).map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.vendor} {m.name} ({humanize(m.kind).toLowerCase()})
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="reg-segment">Segment</label>
                <select id="reg-segment" {...text('segment')}>
                  <option value="">None yet</option>
                  {(places?.segments ?? []).map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.site.code} / {s.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="reg-firmware">Firmware version</label>
                <input id="reg-firmware" placeholder="1.4.0" {...text('firmwareVersion')} />
              </div>
              <div className="field">
                <label htmlFor="reg-criticality">Criticality</label>
                <select id="reg-criticality" {...text('criticality')}>
                  {CRITICALITIES.map((c) => (
                    <option key={c} value={c}>
                      {humanize(c)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="reg-ip">IP address</label>
                <input id="reg-ip" {...text('ip')} />
              </div>
              <div className="field">
                <label htmlFor="reg-mac">MAC address</label>
                <input id="reg-mac" placeholder="aa:bb:cc:dd:ee:ff" {...text('mac')} />
              </div>
              <div className="field">
                <label htmlFor="reg-location">Location</label>
                <input id="reg-location" {...text('location')} />
              </div>
              <div className="field">
                <label htmlFor="reg-owner">Owner</label>
                <input id="reg-owner" {...text('owner')} />
              </div>
              <div className="field">
                <label htmlFor="reg-tags">Tags (comma-separated)</label>
                <input id="reg-tags" {...text('tags')} />
              </div>
              <div className="field" style={{ justifyContent: 'flex-end' }}>
                <label>
                  <input type="checkbox" checked={form.issueCredential} onChange={(e) => setForm({ ...form, issueCredential: e.target.checked })} /> Issue a device
                  token now
                </label>
              </div>
            </div>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <div className="form-actions">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Registering…' : 'Register'}
              </button>
              <button type="button" disabled={busy} onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}

import { useState } from 'react';
import {
  QUARANTINE_DEVICES,
  REVOKE_CREDENTIALS_CONTAINMENT,
  ROTATE_CREDENTIALS_CONTAINMENT,
  type ContainmentResult,
} from '../api/containment.js';
import type { IncidentDevice } from '../api/incidents.js';
import { gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import type { Column } from '../ui/DataTable.js';
import { Panel } from '../ui/Panel.js';
import { ContainmentFields, emptyDraft, expiresInSeconds, type ContainmentDraft } from './ContainmentFields.js';
import { ContainmentOutcome } from './ContainmentOutcome.js';
import { DeviceList } from './DeviceList.js';

/** A device responders may act on, and why it is listed (in the incident, or its blast radius). */
export interface Candidate {
  device: IncidentDevice;
  why: string;
}

/** Names, the first few in full: "Hub 1, Hub 2, Hub 3 and 9 more". */
function names(devices: IncidentDevice[], max = 12): string {
  const shown = devices.slice(0, max).map((d) => d.name);
  return devices.length > max ? `${shown.join(', ')} and ${devices.length - max} more` : shown.join(', ');
}

type Kind = 'quarantine' | 'rotate' | 'revoke';
const MUTATION: Record<Kind, { query: string; field: string; label: string; done: string }> = {
  quarantine: { query: QUARANTINE_DEVICES, field: 'quarantineDevices', label: 'Quarantine', done: 'Quarantine' },
  rotate: { query: ROTATE_CREDENTIALS_CONTAINMENT, field: 'rotateDeviceCredentials', label: 'Rotate credentials', done: 'Credential rotation' },
  revoke: { query: REVOKE_CREDENTIALS_CONTAINMENT, field: 'revokeDeviceCredentials', label: 'Revoke credentials', done: 'Credential revocation' },
};

/**
 * Device containment for an incident: pick devices (the incident's, and the most exposed of its
 * blast radius), then quarantine them or replace their credentials. Every action asks first,
 * naming the devices; fail-safe devices are left alone unless the responder ticks the override.
 */
export function ContainDevices({ incidentId, candidates, onDone }: { incidentId: string; candidates: Candidate[]; onDone: () => Promise<void> }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [draft, setDraft] = useState<ContainmentDraft>(emptyDraft());
  const [override, setOverride] = useState(false);
  const [outcome, setOutcome] = useState<{ what: string; result: ContainmentResult } | null>(null);

  const picked = candidates.filter((c) => selected.has(c.device.id)).map((c) => c.device);
  const failSafe = picked.filter((d) => d.failSafe);
  const why = new Map(candidates.map((c) => [c.device.id, c.why]));
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function run(kind: Kind) {
    const m = MUTATION[kind];
    const r = await gql<Record<string, ContainmentResult>>(m.query, {
      incidentId,
      deviceIds: picked.map((d) => d.id),
      reason: draft.reason.trim(),
      expiresIn: kind === 'rotate' ? null : expiresInSeconds(draft),
      overrideFailSafe: kind === 'quarantine' && override,
    });
    setOutcome({ what: m.done, result: r[m.field]! });
    setSelected(new Set());
    await onDone();
  }

  const open = () => {
    setDraft(emptyDraft(draft.reason));
    setOverride(false);
  };
  const none = picked.length === 0;
  const noneReason = 'Select devices in the table first';
  const extra: Column<IncidentDevice>[] = [{ key: 'why', header: 'Listed because', title: (d) => why.get(d.id), render: (d) => <span className="small">{why.get(d.id)}</span> }];

  return (
    <Panel
      title="Devices"
      actions={
        <>
          <button type="button" onClick={() => setSelected(new Set(candidates.filter((c) => c.why === 'in the incident').map((c) => c.device.id)))}>
            Select the incident’s devices
          </button>
          {selected.size > 0 && (
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          )}
        </>
      }
    >
      {outcome && <ContainmentOutcome what={outcome.what} result={outcome.result} deviceName={(id) => candidates.find((c) => c.device.id === id)?.device.name ?? id} onDismiss={() => setOutcome(null)} />}
      <DeviceList label="Devices to contain" devices={candidates.map((c) => c.device)} selected={selected} onToggle={toggle} flags={(d) => ({ failSafe: d.failSafe })} extra={extra} />
      <div className="form-actions" role="group" aria-label="Contain the selected devices">
        <span className="muted small" style={{ alignSelf: 'center' }} data-testid="selected-count">
          {picked.length} selected
        </span>
        <ConfirmButton
          label={`Quarantine selected (${picked.length})`}
          accessibleLabel="Quarantine selected devices"
          title={`Quarantine ${picked.length} device${picked.length === 1 ? '' : 's'}?`}
          confirmLabel={`Quarantine ${picked.length - (override ? 0 : failSafe.length)} device${picked.length - (override ? 0 : failSafe.length) === 1 ? '' : 's'}`}
          danger
          disabled={none}
          disabledReason={noneReason}
          confirmDisabled={!draft.reason.trim() || picked.length - (override ? 0 : failSafe.length) === 0}
          onOpen={open}
          action={() => run('quarantine')}
        >
          <p>
            Cuts off <strong>{names(picked)}</strong> from everything but Warden’s management channel (they can still be patched).
          </p>
          {failSafe.length > 0 && (
            <div className="failsafe" role="group" aria-label="Fail-safe devices">
              <p>
                <strong>
                  {failSafe.length} fail-safe device{failSafe.length === 1 ? '' : 's'}:
                </strong>{' '}
                {names(failSafe)}. Cutting {failSafe.length === 1 ? 'it' : 'them'} off could lock doors or blind cameras, so{' '}
                {failSafe.length === 1 ? 'it is' : 'they are'} left alone unless you override.
              </p>
              <label className="check">
                <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Quarantine the fail-safe devices too (override)
              </label>
            </div>
          )}
          <ContainmentFields id="quarantine" draft={draft} onChange={setDraft} />
        </ConfirmButton>
        <ConfirmButton
          label="Rotate credentials"
          title={`Rotate the credentials of ${picked.length} device${picked.length === 1 ? '' : 's'}?`}
          disabled={none}
          disabledReason={noneReason}
          confirmDisabled={!draft.reason.trim()}
          onOpen={open}
          action={() => run('rotate')}
        >
          <p>
            Every token of <strong>{names(picked)}</strong> stops working now and each gets a new one, shown once. Each device must be given its new token.
          </p>
          <ContainmentFields id="rotate" draft={draft} onChange={setDraft} expiry={false} />
        </ConfirmButton>
        <ConfirmButton
          label="Revoke credentials"
          title={`Revoke the credentials of ${picked.length} device${picked.length === 1 ? '' : 's'}?`}
          danger
          disabled={none}
          disabledReason={noneReason}
          confirmDisabled={!draft.reason.trim()}
          onOpen={open}
          action={() => run('revoke')}
        >
          <p>
            <strong>{names(picked)}</strong> can no longer talk to Warden (no telemetry, no updates) until released or given a new token.
          </p>
          <ContainmentFields id="revoke" draft={draft} onChange={setDraft} />
        </ConfirmButton>
      </div>
    </Panel>
  );
}

import { useState } from 'react';
import { UPDATE_INCIDENT_STATUS, type IncidentResolution, type IncidentStatus } from '../api/incidents.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { enumOptions, SelectField } from '../ui/Field.js';
import { humanize } from '../ui/format.js';
import { transitionsFrom, type Transition } from './lifecycle.js';

/** One lifecycle move: forward moves in one click; going back, reopening and closing ask first. */
function TransitionButton({ incidentId, from, t, onDone }: { incidentId: string; from: IncidentStatus; t: Transition; onDone: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [resolution, setResolution] = useState<IncidentResolution>(t.resolutions?.[0] ?? 'RESOLVED');
  const run = async () => {
    await gql(UPDATE_INCIDENT_STATUS, { id: incidentId, status: t.to, reason: reason.trim() || null, resolution: t.resolutions ? resolution : null });
    await onDone();
  };
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!t.needsReason && !t.resolutions) {
    return (
      <>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            run()
              .catch((e: unknown) => setError(errorMessage(e)))
              .finally(() => setBusy(false));
          }}
        >
          {t.label}
        </button>
        {error && (
          <span className="error small" role="alert">
            {error}
          </span>
        )}
      </>
    );
  }
  const reasonId = `reason-${t.to}`;
  return (
    <ConfirmButton
      label={t.label}
      title={`${t.label}: ${humanize(from)} → ${humanize(t.to)}`}
      danger={t.to === 'CLOSED'}
      confirmDisabled={t.needsReason && !reason.trim()}
      onOpen={() => setReason('')}
      action={run}
    >
      {t.resolutions && (
        <SelectField id={`resolution-${t.to}`} label="Resolution" value={resolution} onChange={(v) => setResolution(v as IncidentResolution)} options={enumOptions(t.resolutions)} />
      )}
      <div className="field" style={{ marginTop: '0.5rem' }}>
        <label htmlFor={reasonId}>Reason{t.needsReason ? '' : ' (optional)'}</label>
        <textarea id={reasonId} rows={3} cols={50} value={reason} required={t.needsReason} onChange={(e) => setReason(e.target.value)} />
      </div>
    </ConfirmButton>
  );
}

/** The moves an incident can make from its status (responders). */
export function IncidentLifecycle({ incidentId, status, onDone }: { incidentId: string; status: IncidentStatus; onDone: () => Promise<void> }) {
  return (
    <>
      {transitionsFrom(status).map((t) => (
        <TransitionButton key={`${status}-${t.to}`} incidentId={incidentId} from={status} t={t} onDone={onDone} />
      ))}
    </>
  );
}

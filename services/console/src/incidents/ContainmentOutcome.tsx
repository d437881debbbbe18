import type { ContainmentResult } from '../api/containment.js';
import { humanize } from '../ui/format.js';

/** What a containment request did: how many targets it holds now, and what it left alone and why. */
export function ContainmentOutcome({ what, result, onDismiss, deviceName = (id) => id }: { what: string; result: ContainmentResult; onDismiss: () => void; deviceName?: (id: string) => string }) {
  return (
    <div className="notice" role="status" data-testid="containment-outcome">
      <p style={{ margin: 0 }}>
        <strong>{what}:</strong> {result.containments.length} in force
        {result.skipped.length > 0 && `, ${result.skipped.length} left alone`}
        {result.incidentStatus && ` · incident now ${humanize(result.incidentStatus).toLowerCase()}`}.
      </p>
      {result.skipped.length > 0 && (
        <ul className="small" style={{ margin: '0.3rem 0' }}>
          {result.skipped.slice(0, 20).map((s, i) => (
            <li key={s.device?.id ?? i}>{s.message}</li>
          ))}
          {result.skipped.length > 20 && <li>and {result.skipped.length - 20} more</li>}
        </ul>
      )}
      {result.credentials.length > 0 && (
        <>
          <p className="small" style={{ margin: '0.3rem 0' }}>
            <strong>New device tokens — copy them now; they cannot be shown again:</strong>
          </p>
          <pre className="secret small" data-testid="rotated-tokens">
            {result.credentials.map((c) => `${deviceName(c.deviceId)}\t${c.token}`).join('\n')}
          </pre>
        </>
      )}
      <button type="button" onClick={onDismiss}>
        {result.credentials.length ? 'I have stored them' : 'Dismiss'}
      </button>
    </div>
  );
}

import type { RolloutStatus } from '../api/rollouts.js';
import { humanize } from '../ui/format.js';

const TONE: Record<RolloutStatus, string> = {
  WAITING_APPROVAL: 'provisioning',
  READY: 'provisioning',
  RUNNING: 'active',
  PAUSED: 'provisioning',
  SUCCEEDED: 'active',
  ABORTED: 'quarantined',
  CANCELED: 'retired',
};

export function RolloutStatusBadge({ status }: { status: RolloutStatus }) {
  return <span className={`status status-${TONE[status]}`}>{humanize(status)}</span>;
}

/** Succeeded and failed shares of `total` as one stacked bar, with the numbers as its text. */
export function ProgressBar({ total, succeeded, failed, label }: { total: number; succeeded: number; failed: number; label: string }) {
  const pct = (n: number) => (total ? (n / total) * 100 : 0);
  const text = `${succeeded} of ${total} updated, ${failed} failed`;
  return (
    <div className="progress" role="img" aria-label={`${label}: ${text}`} title={text}>
      <span className="progress-ok" style={{ width: `${pct(succeeded)}%` }} />
      <span className="progress-fail" style={{ width: `${pct(failed)}%` }} />
    </div>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { FINAL_STATUSES, ROLLOUT, ROLLOUT_ACTIONS, ROLLOUT_PROGRESS, type RolloutProgressResult, type RolloutResult, type RolloutStatus } from '../api/rollouts.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import type { Role } from '../lib/roles.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatCount, formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { ProgressBar, RolloutStatusBadge } from './status.js';

type Op = keyof typeof ROLLOUT_ACTIONS;

/** Which operations a rollout in each state accepts (the api's state machine), and who may run them. */
const OPS: { op: Op; label: string; from: RolloutStatus[]; role: Role; confirm?: string; danger?: boolean }[] = [
  { op: 'approve', label: 'Approve', from: ['WAITING_APPROVAL'], role: 'ADMIN' },
  { op: 'start', label: 'Start', from: ['READY'], role: 'OPERATOR' },
  { op: 'pause', label: 'Pause', from: ['RUNNING'], role: 'OPERATOR' },
  { op: 'resume', label: 'Resume', from: ['PAUSED'], role: 'OPERATOR' },
  { op: 'retry', label: 'Retry failed devices', from: ['RUNNING', 'PAUSED', 'SUCCEEDED'], role: 'OPERATOR', confirm: 'Every device whose update failed or timed out gets a new attempt.' },
  { op: 'cancel', label: 'Cancel rollout', from: ['WAITING_APPROVAL', 'READY', 'RUNNING', 'PAUSED'], role: 'OPERATOR', danger: true, confirm: 'Devices not yet updated are left alone; devices working on it are told to cancel.' },
  { op: 'rollback', label: 'Roll back', from: ['PAUSED', 'SUCCEEDED', 'ABORTED', 'CANCELED'], role: 'OPERATOR', danger: true, confirm: 'Creates a rollout to the previous release for every device this one reached. It needs approval before it starts.' },
];

const FAILED = new Set(['ERROR', 'TIMED_OUT']);

/** The target filter in words ("devices on 2 segments, tagged lobby, firmware >=1.0.0 <1.4.0"). */
function describeTargets(filter: Record<string, unknown>): string {
  const list = (k: string) => (Array.isArray(filter[k]) ? (filter[k] as string[]) : []);
  const parts: string[] = [];
  if (list('deviceIds').length) parts.push(`${list('deviceIds').length} chosen devices`);
  if (list('siteIds').length) parts.push(`on ${list('siteIds').length} site(s)`);
  if (list('segmentIds').length) parts.push(`on ${list('segmentIds').length} segment(s)`);
  if (list('tags').length) parts.push(`tagged ${list('tags').join(' or ')}`);
  if (typeof filter.versionRange === 'string') parts.push(`firmware ${filter.versionRange}`);
  return parts.length ? `devices of this model ${parts.join(', ')}` : 'every device of this model';
}

export function RolloutPage({ id }: { id: string }) {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [error, setError] = useState<unknown>(null);
  const query = useQuery({ queryKey: ['rollout', id], queryFn: ({ signal }) => gql<RolloutResult>(ROLLOUT, { id }, { signal }) });
  const final = query.data?.rollout ? FINAL_STATUSES.includes(query.data.rollout.status) : true;
  // Live progress: polled while the rollout can still change.
  const progress = useQuery({
    queryKey: ['rolloutProgress', id],
    queryFn: ({ signal }) => gql<RolloutProgressResult>(ROLLOUT_PROGRESS, { id }, { signal }),
    enabled: !!query.data?.rollout,
    refetchInterval: (q) => (q.state.data && FINAL_STATUSES.includes(q.state.data.rolloutProgress.status) ? false : 1_500),
  });

  if (query.isPending) return <Loading label="Loading the rollout…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  const r = query.data.rollout;
  if (!r) return <h1>Rollout not found</h1>;
  const p = progress.data?.rolloutProgress ?? r.progress;
  if (p.status !== r.status && !final) void queryClient.invalidateQueries({ queryKey: ['rollout', id] });

  async function run(op: Op) {
    setError(null);
    const result = await gql<Record<string, { id?: string }>>(ROLLOUT_ACTIONS[op], { id });
    await queryClient.invalidateQueries({ queryKey: ['rollout', id] });
    await queryClient.invalidateQueries({ queryKey: ['rolloutProgress', id] });
    await queryClient.invalidateQueries({ queryKey: ['rollouts'] });
    if (op === 'rollback') navigate(`/rollouts/${result.rollbackRollout!.id}`);
  }

  const available = OPS.filter((o) => o.from.includes(p.status) && can(o.role) && !(o.op === 'retry' && p.failed === 0));
  const window = r.maintenanceWindow;

  return (
    <>
      <p className="small">
        <Link href="/rollouts">← Rollouts</Link>
      </p>
      <div className="page-head">
        <h1>{r.name}</h1>
        <RolloutStatusBadge status={p.status} />
        {r.emergency && <span className="status status-quarantined">Emergency</span>}
        <div className="actions">
          {available.map((o) =>
            o.confirm ? (
              <ConfirmButton key={o.op} label={o.label} title={`${o.label}: ${r.name}?`} danger={o.danger ?? false} action={() => run(o.op)}>
                <p>{o.confirm}</p>
              </ConfirmButton>
            ) : (
              <button key={o.op} type="button" className={o.op === 'start' || o.op === 'approve' ? 'primary' : undefined} onClick={() => run(o.op).catch(setError)}>
                {o.label}
              </button>
            ),
          )}
        </div>
      </div>
      <ErrorNote error={error} />
      {p.statusReason && (
        <p className="notice" role="status">
          {p.statusReason}
        </p>
      )}
      {p.status === 'WAITING_APPROVAL' && !can('ADMIN') && <p className="muted small">Waiting for an admin to approve it.</p>}

      <Panel title="Progress">
        <p data-testid="rollout-progress">
          {formatCount(p.succeeded)} of {formatCount(p.total)} devices updated · {formatCount(p.failed)} failed
        </p>
        <ProgressBar label="All waves" total={p.total} succeeded={p.succeeded} failed={p.failed} />
        <ol className="waves" aria-label="Waves" style={{ marginTop: '0.75rem' }}>
          {p.waves.map((w) => {
            const failures = w.counts.filter((c) => FAILED.has(c.status) && c.count > 0);
            return (
              <li key={w.index} data-testid={`wave-${w.index}`}>
                <span>
                  <strong>{w.name ?? `Wave ${w.index + 1}`}</strong> <span className="muted small">{humanize(w.status)}</span>
                </span>
                <ProgressBar label={w.name ?? `Wave ${w.index + 1}`} total={w.size} succeeded={w.succeeded} failed={w.failed} />
                <span className="small">
                  {w.succeeded}/{w.size} updated, {w.status === 'PLANNED' ? `${w.open} waiting` : `${w.open} in progress`}
                  {failures.length > 0 && <span className="error-text"> · {failures.map((f) => `${f.count} ${humanize(f.status).toLowerCase()}`).join(', ')}</span>}
                </span>
              </li>
            );
          })}
        </ol>
      </Panel>

      <div className="grid-2">
        <Panel title="Plan">
          <dl className="facts">
            <dt>Release</dt>
            <dd>
              {r.release.model.vendor} {r.release.model.name} → {r.release.version}
            </dd>
            <dt>Targets</dt>
            <dd>{describeTargets(r.filter)}</dd>
            <dt>Thresholds</dt>
            <dd>
              next wave at {r.successThresholdPct}% success; {humanize(r.errorAction).toLowerCase()} at {r.errorThresholdPct}% failures in a wave or{' '}
              {r.overallErrorThresholdPct}% overall
            </dd>
            <dt>Timing</dt>
            <dd>
              {r.emergency ? 'no wait between waves' : `${Math.round(r.waveDelaySeconds / 60)} min between waves`}; a device has{' '}
              {Math.round(r.deviceDeadlineSeconds / 60)} min to report
            </dd>
            <dt>Window</dt>
            <dd>{window ? `daily from ${window.start} for ${window.durationMinutes} min (${window.timezone})` : 'any time'}</dd>
            <dt>Approval</dt>
            <dd>{r.requiresApproval ? (r.approvedBy ? `approved by ${r.approvedBy}, ${formatDateTime(r.approvedAt)}` : 'required') : 'not required'}</dd>
            <dt>Created</dt>
            <dd>
              {formatDateTime(r.createdAt)}
              {r.createdBy ? ` by ${r.createdBy}` : ''}
            </dd>
            {r.rollbackOf && (
              <>
                <dt>Rolls back</dt>
                <dd>
                  <Link href={`/rollouts/${r.rollbackOf.id}`}>{r.rollbackOf.name}</Link>
                </dd>
              </>
            )}
          </dl>
        </Panel>
        <Panel title="Skipped devices">
          {r.exclusions.length === 0 ? (
            <p className="muted small">Every matched device is targeted.</p>
          ) : (
            <>
              <p className="small">
                {Object.entries(
                  r.exclusions.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.reason]: (acc[e.reason] ?? 0) + 1 }), {}),
                )
                  .map(([reason, n]) => `${n} ${humanize(reason).toLowerCase()}`)
                  .join(' · ')}
              </p>
              <ul className="small" style={{ maxHeight: '12rem', overflowY: 'auto' }}>
                {r.exclusions.slice(0, 200).map((e) => (
                  <li key={e.device.id}>
                    <Link href={`/devices/${e.device.id}`}>{e.device.name}</Link> — {humanize(e.reason).toLowerCase()}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Panel>
      </div>
    </>
  );
}


import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ROLLOUT_STATUSES, ROLLOUTS, type RolloutsResult } from '../api/rollouts.js';
import { gql } from '../lib/graphql.js';
import { formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Loading } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';
import { ProgressBar, RolloutStatusBadge } from './status.js';

/** Every rollout, newest first, with its live progress. */
export function RolloutsPage() {
  const [status, setStatus] = useState('');
  const query = useQuery({
    queryKey: ['rollouts', status],
    queryFn: ({ signal }) => gql<RolloutsResult>(ROLLOUTS, { status: status || null, first: 200 }, { signal }),
    refetchInterval: 5_000,
  });
  return (
    <>
      <div className="page-head">
        <h1>Rollouts</h1>
        <div className="field">
          <label htmlFor="ro-status">Status</label>
          <select id="ro-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {ROLLOUT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <Requires role="OPERATOR">
            <Link href="/rollouts/new" className="button">
              New rollout
            </Link>
          </Requires>
        </div>
      </div>
      <section className="panel" aria-label="Rollouts">
        {query.isPending ? (
          <Loading />
        ) : query.error ? (
          <ErrorNote error={query.error} />
        ) : (
          <table className="data" aria-label="Rollouts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Release</th>
                <th scope="col" style={{ width: '10rem' }}>
                  Status
                </th>
                <th scope="col">Progress</th>
                <th scope="col" style={{ width: '12rem' }}>
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {query.data.rollouts.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No rollouts yet.
                  </td>
                </tr>
              )}
              {query.data.rollouts.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/rollouts/${r.id}`}>{r.name}</Link>
                    {r.emergency && <span className="status status-quarantined" style={{ marginLeft: '0.4rem' }}>Emergency</span>}
                  </td>
                  <td>
                    {r.release.model.vendor} {r.release.model.name} → {r.release.version}
                  </td>
                  <td title={r.statusReason ?? undefined}>
                    <RolloutStatusBadge status={r.status} />
                  </td>
                  <td>
                    <ProgressBar label={r.name} total={r.progress.total} succeeded={r.progress.succeeded} failed={r.progress.failed} />
                  </td>
                  <td>
                    {formatDateTime(r.createdAt)}
                    {r.createdBy ? ` by ${r.createdBy}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

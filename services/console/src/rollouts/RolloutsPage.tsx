import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ROLLOUT_STATUSES, ROLLOUTS, type RolloutRow, type RolloutsResult } from '../api/rollouts.js';
import { gql } from '../lib/graphql.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { enumOptions, SelectField } from '../ui/Field.js';
import { formatDateTime } from '../ui/format.js';
import { ErrorNote, Loading } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';
import { ProgressBar, RolloutStatusBadge } from './status.js';

const COLUMNS: Column<RolloutRow>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (r) => (
      <>
        <Link href={`/rollouts/${r.id}`}>{r.name}</Link>
        {r.emergency && (
          <span className="status status-quarantined" style={{ marginLeft: '0.4rem' }}>
            Emergency
          </span>
        )}
      </>
    ),
  },
  { key: 'release', header: 'Release', render: (r) => `${r.release.model.vendor} ${r.release.model.name} → ${r.release.version}` },
  { key: 'status', header: 'Status', width: '10rem', title: (r) => r.statusReason ?? undefined, render: (r) => <RolloutStatusBadge status={r.status} /> },
  { key: 'progress', header: 'Progress', render: (r) => <ProgressBar label={r.name} total={r.progress.total} succeeded={r.progress.succeeded} failed={r.progress.failed} /> },
  { key: 'created', header: 'Created', width: '12rem', render: (r) => `${formatDateTime(r.createdAt)}${r.createdBy ? ` by ${r.createdBy}` : ''}` },
];

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
        <SelectField id="ro-status" label="Status" value={status} onChange={setStatus} anyLabel="Any" options={enumOptions(ROLLOUT_STATUSES)} />
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
          <DataTable label="Rollouts" columns={COLUMNS} rows={query.data.rollouts} rowKey={(r) => r.id} empty="No rollouts yet." />
        )}
      </section>
    </>
  );
}

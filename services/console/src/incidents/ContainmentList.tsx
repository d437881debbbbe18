import { useState } from 'react';
import { Link } from 'wouter';
import { IN_FORCE, RELEASE_CONTAINMENT, type ContainmentRow } from '../api/containment.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { Badge, type Tone } from '../ui/Badge.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { formatAgo, formatDateTime, humanize } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';

const TONE: Record<ContainmentRow['status'], Tone> = { PENDING: 'provisioning', APPLIED: 'quarantined', RELEASED: 'retired', EXPIRED: 'retired', FAILED: 'critical', SKIPPED: 'neutral' };
const KIND: Record<ContainmentRow['kind'], string> = {
  QUARANTINE_DEVICES: 'Quarantine',
  ISOLATE_SEGMENT: 'Segment isolation',
  BLOCK_DESTINATION: 'Blocked destination',
  ROTATE_CREDENTIALS: 'Credential rotation',
  REVOKE_CREDENTIALS: 'Credential revocation',
};

export const targetName = (c: ContainmentRow): string => c.device?.name ?? c.segment?.name ?? c.destination ?? '—';

function ReleaseButton({ c, onDone }: { c: ContainmentRow; onDone: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const id = `release-${c.id}`;
  return (
    <ConfirmButton
      label="Release"
      accessibleLabel={`Release ${targetName(c)}`}
      title={`Release the ${KIND[c.kind].toLowerCase()} of ${targetName(c)}?`}
      confirmDisabled={!reason.trim()}
      onOpen={() => setReason('')}
      action={async () => {
        await gql(RELEASE_CONTAINMENT, { id: c.id, reason: reason.trim() });
        await onDone();
      }}
    >
      <p>{c.kind === 'QUARANTINE_DEVICES' ? `${targetName(c)} gets its network access back and its previous status.` : 'The restriction is lifted now.'}</p>
      <div className="field">
        <label htmlFor={id}>Reason</label>
        <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why it is safe to release" />
      </div>
    </ConfirmButton>
  );
}

/** The incident's containments, in force first, each releasable by a responder. */
export function ContainmentList({ containments, onDone }: { containments: ContainmentRow[]; onDone: () => Promise<void> }) {
  const { can } = useAuth();
  const [showAll, setShowAll] = useState(false);
  const inForce = containments.filter((c) => IN_FORCE.includes(c.status));
  const rows = showAll ? containments : inForce;
  const columns: Column<ContainmentRow>[] = [
    { key: 'kind', header: 'Action', width: '10rem', render: (c) => KIND[c.kind] },
    { key: 'target', header: 'Target', render: (c) => (c.device ? <Link href={`/devices/${c.device.id}`}>{c.device.name}</Link> : targetName(c)) },
    { key: 'status', header: 'Status', width: '7rem', title: (c) => c.error ?? undefined, render: (c) => <Badge tone={TONE[c.status]}>{humanize(c.status)}</Badge> },
    { key: 'reason', header: 'Reason', title: (c) => c.reason, render: (c) => c.reason },
    { key: 'by', header: 'By', width: '9rem', title: (c) => formatDateTime(c.createdAt), render: (c) => `${c.actorName}, ${formatAgo(c.createdAt)}` },
    { key: 'expires', header: 'Expires', width: '7rem', render: (c) => (c.expiresAt ? formatAgo(c.expiresAt) : c.releasedAt ? `released ${formatAgo(c.releasedAt)}` : 'no') },
    ...(can('RESPONDER') ? [{ key: 'release', header: <span className="visually-hidden">Release</span>, width: '6rem', render: (c: ContainmentRow) => (IN_FORCE.includes(c.status) ? <ReleaseButton c={c} onDone={onDone} /> : null) }] : []),
  ];
  return (
    <Panel
      title="Containments"
      actions={
        <label className="check small">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Show released and skipped
        </label>
      }
    >
      <DataTable label="Containments" columns={columns} rows={rows} rowKey={(c) => c.id} maxHeight="20rem" virtual empty={showAll ? 'Nothing was contained for this incident yet.' : 'Nothing is contained for this incident now.'} />
      <p className="muted small">{inForce.length} in force of {containments.length} recorded.</p>
    </Panel>
  );
}

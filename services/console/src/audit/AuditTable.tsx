import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'wouter';
import { AUDIT_LOG, type AuditFilterInput, type AuditLogResult } from '../api/audit.js';
import { gql } from '../lib/graphql.js';
import { formatDateTime } from '../ui/format.js';
import { ErrorNote, Loading } from '../ui/Panel.js';

/** One line of what changed: `status: ACTIVE → QUARANTINED, tags: …`, or the summary's fields. */
function summarize(summary: unknown): string {
  if (!summary || typeof summary !== 'object') return '';
  const s = summary as { before?: Record<string, unknown>; after?: Record<string, unknown> };
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (s.after && typeof s.after === 'object') {
    return Object.entries(s.after)
      .map(([k, v]) => (s.before && k in s.before ? `${k}: ${show(s.before[k])} → ${show(v)}` : `${k}: ${show(v)}`))
      .join(', ');
  }
  return Object.entries(summary)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(', ');
}

/** Audit rows matching `filter`, newest first, 100 at a time, each expandable to its before/after. */
export function AuditTable({ filter, compact = false }: { filter: AuditFilterInput; compact?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['auditLog', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => gql<AuditLogResult>(AUDIT_LOG, { filter, first: 100, after: pageParam }, { signal }),
    getNextPageParam: (last) => (last.auditLog.pageInfo.hasNextPage ? last.auditLog.pageInfo.endCursor : null),
  });
  if (query.isPending) return <Loading label="Loading the audit log…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  const rows = query.data.pages.flatMap((p) => p.auditLog.nodes);
  const columns = compact ? 4 : 6;
  return (
    <>
      <div className="table-scroll" style={compact ? { maxHeight: '20rem' } : undefined}>
        <table className="data" aria-label="Audit log entries">
          <thead>
            <tr>
              <th scope="col" style={{ width: '12.5rem' }}>
                When
              </th>
              <th scope="col" style={{ width: '14rem' }}>
                Who
              </th>
              <th scope="col" style={{ width: '14rem' }}>
                Action
              </th>
              {!compact && (
                <th scope="col" style={{ width: '18rem' }}>
                  Target
                </th>
              )}
              <th scope="col">Change</th>
              {!compact && (
                <th scope="col" style={{ width: '8rem' }}>
                  From
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={columns} className="muted">
                  No entries match.
                </td>
              </tr>
            )}
            {rows.map((e) => (
              <Fragment key={e.id}>
                <tr>
                  <td>{formatDateTime(e.at)}</td>
                  <td title={e.actorType}>{e.actorName}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  {!compact && (
                    <td>
                      {e.targetType === 'Device' && e.targetId ? (
                        <Link href={`/devices/${e.targetId}`}>Device {e.targetId.slice(0, 8)}</Link>
                      ) : (
                        `${e.targetType ?? ''} ${e.targetId ?? ''}`
                      )}
                    </td>
                  )}
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-expanded={open === e.id}
                      aria-label={`${open === e.id ? 'Hide' : 'Show'} the change of ${e.action}`}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                    >
                      {open === e.id ? 'Hide' : 'Show'}
                    </button>{' '}
                    <span className="muted small" title={summarize(e.summary)}>
                      {summarize(e.summary)}
                    </span>
                  </td>
                  {!compact && <td>{e.ip ?? '—'}</td>}
                </tr>
                {open === e.id && (
                  <tr>
                    <td colSpan={columns} style={{ height: 'auto', whiteSpace: 'normal', padding: '0.5rem 0.75rem' }}>
                      <pre className="json">{JSON.stringify(e.summary, null, 2)}</pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {query.hasNextPage && (
        <p>
          <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
        </p>
      )}
    </>
  );
}

import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'wouter';
import { BLAST_RADIUS, toBlastView, type BlastDevice, type BlastRadiusResult, type BlastRadiusView, type Tier } from '../api/blast-radius.js';
import { gql } from '../lib/graphql.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { SelectField } from '../ui/Field.js';
import { formatCount, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { describeReason } from './blast-reasons.js';
import { ContactGraph } from './ContactGraph.js';
import type { GraphNodeInput } from './contact-graph.js';

const PAGE = 200;

export const TIER_HELP: Record<Tier, string> = {
  1: 'in direct contact with a compromised device',
  2: 'reached over further contacts, or on its segment with the same vulnerable firmware',
  3: 'on its segment, or running the same vulnerable firmware elsewhere',
  4: 'unrelated, but cannot be patched',
};

/** An incident's blast radius, a page of ranked devices at a time (most exposed first). */
export function useBlastRadius(incidentId: string, maxHops: number) {
  const query = useInfiniteQuery({
    queryKey: ['blastRadius', incidentId, maxHops],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => gql<BlastRadiusResult>(BLAST_RADIUS, { incidentId, maxHops, first: PAGE, after: pageParam }, { signal }),
    getNextPageParam: (last) => (last.blastRadius.devices.pageInfo.hasNextPage ? last.blastRadius.devices.pageInfo.endCursor : null),
    staleTime: 30_000,
  });
  const view = useMemo<BlastRadiusView | null>(() => (query.data?.pages.length ? toBlastView(query.data.pages.map((p) => p.blastRadius)) : null), [query.data]);
  return { query, view };
}

/** The graph's nodes: the compromised devices, and the ranked ones that were reached over contacts. */
export function graphNodes(view: BlastRadiusView): GraphNodeInput[] {
  const nodes: GraphNodeInput[] = view.compromised.map((d) => ({ id: d.id, label: d.name, hops: 0 }));
  for (const e of view.devices) {
    const c = e.reasons.find((r) => r.kind === 'CONTACTED');
    if (c?.kind !== 'CONTACTED') continue;
    nodes.push({ id: e.device.id, label: e.device.name, hops: c.hops, via: c.via, contactedBy: c.contactedBy, contacted: c.contacted, tier: e.tier });
  }
  return nodes;
}

export function BlastRadius({ incidentId, maxHops, onMaxHops }: { incidentId: string; maxHops: number; onMaxHops: (n: number) => void }) {
  const { query, view } = useBlastRadius(incidentId, maxHops);
  const names = useMemo(() => ({ device: (id: string) => view?.names.devices.get(id), segment: (id: string) => view?.names.segments.get(id) }), [view]);
  const nodes = useMemo(() => (view ? graphNodes(view) : []), [view]);

  if (query.isPending) return <Loading label="Measuring the blast radius…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  if (!view) return null;

  const columns: Column<BlastDevice>[] = [
    { key: 'tier', header: 'Tier', width: '3.5rem', align: 'num', render: (e) => <span className={`tier tier-${e.tier}`}>{e.tier}</span> },
    { key: 'device', header: 'Device', width: '13rem', title: (e) => `${e.device.serial} · ${e.device.model.vendor} ${e.device.model.name}`, render: (e) => <Link href={`/devices/${e.device.id}`}>{e.device.name}</Link> },
    { key: 'segment', header: 'Segment', width: '7rem', render: (e) => e.device.segment?.name ?? '—' },
    { key: 'firmware', header: 'Firmware', width: '6.5rem', render: (e) => e.device.firmwareVersion ?? '—' },
    { key: 'status', header: 'Status', width: '7rem', render: (e) => humanize(e.device.status) },
    {
      key: 'why',
      header: 'Why',
      title: (e) => e.reasons.map((r) => describeReason(r, names)).join('; '),
      render: (e) => e.reasons.map((r) => describeReason(r, names)).join('; '),
    },
  ];

  return (
    <>
      <div className="page-head" style={{ marginBottom: '0.5rem' }}>
        <SelectField
          id="blast-hops"
          label="Follow contacts"
          value={String(maxHops)}
          onChange={(v) => onMaxHops(Number(v))}
          options={[1, 2, 3, 4].map((n) => ({ value: String(n), label: n === 1 ? 'direct contacts only' : `up to ${n} hops` }))}
        />
        <p className="muted" data-testid="blast-total">
          {formatCount(view.total)} devices exposed to {formatCount(view.compromised.length)} compromised
          {view.exploitedAdvisories.length > 0 && <> · advisories a worm would use next: {view.exploitedAdvisories.join(', ')}</>}
        </p>
      </div>
      <ul className="tiers" aria-label="Devices per tier">
        {([1, 2, 3, 4] as const).map((t) => (
          <li key={t} className={`tier-card tier-${t}`} data-testid={`tier-${t}`}>
            <span className="total">{formatCount(view.byTier[t])}</span>
            <span>
              <strong>Tier {t}</strong> <span className="muted small">{TIER_HELP[t]}</span>
            </span>
          </li>
        ))}
      </ul>
      <div className="grid-2">
        <Panel title="Who contacted whom">
          <ContactGraph nodes={nodes} />
        </Panel>
        <Panel title="Per segment">
          <DataTable
            label="Blast radius per segment"
            maxHeight="30rem"
            rows={view.bySegment}
            rowKey={(s) => s.segment?.id ?? 'none'}
            columns={[
              { key: 'segment', header: 'Segment', render: (s) => s.segment?.name ?? 'no segment' },
              { key: 'total', header: 'Devices', width: '6.5rem', align: 'num', render: (s) => formatCount(s.total) },
              ...([1, 2, 3, 4] as const).map((t) => ({ key: `t${t}`, header: `Tier ${t}`, width: '4.5rem', align: 'num' as const, render: (s: BlastRadiusView['bySegment'][number]) => formatCount(s.byTier[t]) })),
            ]}
          />
        </Panel>
      </div>
      <Panel title="Ranked devices">
        <DataTable label="Ranked devices" columns={columns} rows={view.devices} rowKey={(e) => e.device.id} maxHeight="28rem" virtual empty="No other device is exposed." />
        <p className="muted small">
          Showing the {formatCount(view.devices.length)} most exposed of {formatCount(view.total)}.{' '}
          {query.hasNextPage && (
            <button type="button" className="link" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
        </p>
      </Panel>
    </>
  );
}

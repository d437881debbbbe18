import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { READINESS, type AdvisoryExposureView, type ReadinessResult, type SegmentReadinessView, type SegmentRef } from '../api/readiness.js';
import { gql } from '../lib/graphql.js';
import { SeverityBadge } from '../incidents/badges.js';
import { DataTable, type Column } from '../ui/DataTable.js';
import { formatCount } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';

const segmentNames = (list: readonly SegmentRef[]) => list.map((s) => s.name).join(' → ');
const top = <T,>(list: readonly T[], n: number, show: (t: T) => string) => list.slice(0, n).map(show).join(', ') + (list.length > n ? `, +${list.length - n}` : '');

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div className="meter" role="img" aria-label={label} title={label}>
      <span style={{ width: `${max ? (value / max) * 100 : 0}%` }} />
    </div>
  );
}

function AdvisoryDetail({ a }: { a: AdvisoryExposureView }) {
  return (
    <Panel title={`${a.advisory.externalId}: where it is`} id="advisory-detail">
      {a.advisory.summary && <p className="small">{a.advisory.summary}</p>}
      <p className="small">
        {formatCount(a.exposed)} exposed: {formatCount(a.patchableNow)} can take a fix now, {formatCount(a.unpatchable)} cannot be updated over the air
        {a.exposed - a.patchableNow - a.unpatchable > 0 ? `, ${formatCount(a.exposed - a.patchableNow - a.unpatchable)} have no fixed release yet` : ''}.
      </p>
      <div className="grid-2">
        <DataTable
          label={`${a.advisory.externalId} per segment`}
          rows={a.bySegment}
          rowKey={(s) => s.segment?.id ?? 'none'}
          maxHeight="18rem"
          columns={[
            { key: 'segment', header: 'Segment', render: (s) => s.segment?.name ?? 'no segment' },
            { key: 'devices', header: 'Devices', width: '6rem', align: 'num', render: (s) => formatCount(s.devices) },
          ]}
        />
        <DataTable
          label={`${a.advisory.externalId} per firmware`}
          rows={a.byFirmware}
          rowKey={(f) => `${f.model.id}:${f.version}`}
          maxHeight="18rem"
          columns={[
            { key: 'model', header: 'Model', render: (f) => `${f.model.vendor} ${f.model.name}` },
            { key: 'version', header: 'Firmware', width: '6.5rem', render: (f) => f.version },
            { key: 'devices', header: 'Devices', width: '6rem', align: 'num', render: (f) => formatCount(f.devices) },
          ]}
        />
      </div>
    </Panel>
  );
}

/**
 * Before any attack: how exposed the fleet is per advisory and per segment, which devices can't
 * be patched, and how far a worm would get from each segment.
 */
export function ReadinessPage() {
  const query = useQuery({ queryKey: ['readiness'], queryFn: ({ signal }) => gql<ReadinessResult>(READINESS, {}, { signal }), staleTime: 60_000 });
  const [selected, setSelected] = useState<string | null>(null);

  if (query.isPending) return <Loading label="Measuring the fleet’s exposure…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  const r = query.data.readiness;
  const vulnerable = r.segments.reduce((n, s) => n + s.vulnerable, 0);
  const fleet = r.segments.reduce((n, s) => n + s.devices, 0);
  const worst = r.simultaneous;
  const advisory = r.advisories.find((a) => a.advisory.id === (selected ?? r.advisories[0]?.advisory.id)) ?? null;
  const maxReach = Math.max(1, ...r.segments.map((s) => s.wormReach.devices));

  const advisoryColumns: Column<AdvisoryExposureView>[] = [
    {
      key: 'id',
      header: 'Advisory',
      width: '10rem',
      title: (a) => a.advisory.summary ?? undefined,
      render: (a) => (
        <button type="button" className="link" aria-pressed={a === advisory} onClick={() => setSelected(a.advisory.id)}>
          {a.advisory.externalId}
        </button>
      ),
    },
    { key: 'severity', header: 'Severity', width: '6.5rem', render: (a) => (a.advisory.severity === 'UNKNOWN' ? <span className="muted">unknown</span> : <SeverityBadge severity={a.advisory.severity} />) },
    { key: 'exposed', header: 'Exposed', width: '6.5rem', align: 'num', render: (a) => formatCount(a.exposed) },
    { key: 'now', header: 'Fix now', width: '6.5rem', align: 'num', render: (a) => formatCount(a.patchableNow) },
    { key: 'never', header: 'No OTA', width: '5.5rem', align: 'num', render: (a) => formatCount(a.unpatchable) },
    { key: 'where', header: 'Where', title: (a) => top(a.bySegment, 99, (s) => `${s.segment?.name ?? 'none'} ${s.devices}`), render: (a) => top(a.bySegment, 3, (s) => `${s.segment?.name ?? 'none'} ${formatCount(s.devices)}`) },
  ];

  const segmentColumns: Column<SegmentReadinessView>[] = [
    { key: 'segment', header: 'Worm enters at', width: '10rem', render: (s) => <Link href={`/?segment=${s.segment.id}`}>{s.segment.name}</Link> },
    { key: 'devices', header: 'Devices', width: '6.5rem', align: 'num', render: (s) => formatCount(s.devices) },
    { key: 'vulnerable', header: 'Vulnerable', width: '7.5rem', align: 'num', render: (s) => formatCount(s.vulnerable) },
    {
      key: 'reach',
      header: 'Devices it reaches',
      width: '13rem',
      render: (s) => (
        <span className="meter-cell">
          <Bar value={s.wormReach.devices} max={maxReach} label={`${s.wormReach.devices} devices`} />
          {formatCount(s.wormReach.devices)}
        </span>
      ),
    },
    { key: 'path', header: 'Through segments', title: (s) => segmentNames(s.wormReach.segments), render: (s) => segmentNames(s.wormReach.segments) || '—' },
    {
      key: 'worst',
      header: 'Worst single advisory',
      width: '15rem',
      render: (s) => (s.worstAdvisory ? `${s.worstAdvisory.externalId}: ${formatCount(s.worstAdvisory.devices)}` : <span className="muted">none</span>),
    },
  ];

  return (
    <>
      <div className="page-head">
        <h1>Readiness</h1>
        <span className="muted">Before an attack: what is exposed, what cannot be patched, and how far a worm would get.</span>
      </div>
      <ul className="headline" aria-label="At a glance">
        <li className="headline-worst" data-testid="worst-case">
          <span className="total">{formatCount(worst.devices)}</span>
          <span>
            devices would fall at once to a worm entering at <strong>{worst.startSegment?.name ?? '—'}</strong>
            {worst.segments.length > 1 && <> and spreading to {segmentNames(worst.segments.slice(1))}</>}; {formatCount(worst.unpatchable)} of them cannot be patched.
          </span>
        </li>
        <li>
          <span className="total">{formatCount(vulnerable)}</span>
          <span>of {formatCount(fleet)} devices run firmware with an open advisory</span>
        </li>
        <li data-testid="unpatchable-total">
          <span className="total">{formatCount(r.unpatchable.total)}</span>
          <span>devices cannot be updated over the air</span>
        </li>
        <li>
          <span className="total">{formatCount(r.advisories.filter((a) => a.exposed > 0).length)}</span>
          <span>open advisories affect the fleet</span>
        </li>
      </ul>

      <Panel title="Worst-case worm reach per segment">
        <DataTable label="Worm reach per segment" columns={segmentColumns} rows={r.segments} rowKey={(s) => s.segment.id} empty="No segments." />
        <p className="muted small">A worm carrying every open advisory’s exploit, entering at one segment and spreading through every vulnerable device it reaches.</p>
      </Panel>

      <div className="grid-2">
        <Panel title="Exposure per advisory">
          <DataTable label="Exposure per advisory" columns={advisoryColumns} rows={r.advisories} rowKey={(a) => a.advisory.id} maxHeight="24rem" empty="No open advisory affects the fleet." />
        </Panel>
        <Panel title="Devices that cannot be patched">
          <DataTable
            label="Unpatchable devices per segment"
            rows={r.unpatchable.bySegment}
            rowKey={(s) => s.segment?.id ?? 'none'}
            maxHeight="24rem"
            columns={[
              { key: 'segment', header: 'Segment', render: (s) => (s.segment ? <Link href={`/?segment=${s.segment.id}`}>{s.segment.name}</Link> : 'no segment') },
              { key: 'devices', header: 'Devices', width: '6rem', align: 'num', render: (s) => formatCount(s.devices) },
            ]}
          />
          <p className="muted small">Their models take no over-the-air updates: isolate them, or replace them.</p>
        </Panel>
      </div>
      {advisory && <AdvisoryDetail a={advisory} />}
    </>
  );
}

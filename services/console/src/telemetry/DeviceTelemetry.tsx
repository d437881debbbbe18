import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DEVICE_TELEMETRY, TELEMETRY_SERIES, type DeviceTelemetryResult, type TelemetrySeriesResult } from '../api/telemetry.js';
import { gql } from '../lib/graphql.js';
import { formatAgo, formatDateTime } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { TimeSeriesChart } from './TimeSeriesChart.js';

const RANGES = [
  { id: '1h', label: 'Last hour', seconds: 3600 },
  { id: '6h', label: 'Last 6 hours', seconds: 6 * 3600 },
  { id: '24h', label: 'Last 24 hours', seconds: 24 * 3600 },
  { id: '7d', label: 'Last 7 days', seconds: 7 * 24 * 3600 },
] as const;

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** A device's live state and one metric over a chosen time range, as a chart and as text. */
export function DeviceTelemetry({ deviceId }: { deviceId: string }) {
  const state = useQuery({
    queryKey: ['deviceTelemetry', deviceId],
    queryFn: ({ signal }) => gql<DeviceTelemetryResult>(DEVICE_TELEMETRY, { deviceId }, { signal }),
    refetchInterval: 15_000,
  });
  const latest = state.data?.deviceTelemetry ?? null;
  const metrics = Object.entries(latest?.metrics ?? {})
    .filter(([, v]) => typeof v === 'number')
    .map(([k]) => k)
    .sort();
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : (metrics[0] ?? null);
  const [rangeId, setRangeId] = useState<(typeof RANGES)[number]['id']>('1h');
  const range = RANGES.find((r) => r.id === rangeId)!;
  const [asTable, setAsTable] = useState(false);

  const series = useQuery({
    queryKey: ['telemetrySeries', deviceId, metric, rangeId],
    enabled: metric !== null,
    queryFn: ({ signal }) =>
      gql<TelemetrySeriesResult>(
        TELEMETRY_SERIES,
        { deviceId, metric, from: new Date(Date.now() - range.seconds * 1000).toISOString(), maxPoints: 300 },
        { signal },
      ),
    placeholderData: keepPreviousData,
    refetchInterval: range.seconds <= 6 * 3600 ? 30_000 : false,
  });

  if (state.isPending) return <Loading label="Loading telemetry…" />;
  if (state.error) return <ErrorNote error={state.error} />;
  if (!latest) {
    return (
      <Panel title="Telemetry">
        <p className="muted">This device has never sent telemetry.</p>
      </Panel>
    );
  }

  const points = series.data?.telemetrySeries.points ?? [];
  const values = points.map((p) => p.avg);
  const summary = points.length
    ? `${metric}: average ${num.format(values.reduce((a, b) => a + b, 0) / values.length)}, lowest ${num.format(Math.min(...points.map((p) => p.min)))}, highest ${num.format(Math.max(...points.map((p) => p.max)))} from ${points.reduce((n, p) => n + p.count, 0)} readings (${points.length} buckets of ${series.data!.telemetrySeries.bucketSeconds} s)`
    : `No ${metric ?? ''} readings in this range.`;

  return (
    <Panel title="Telemetry">
      <dl className="facts">
        <dt>Liveness</dt>
        <dd>
          <span className={`status status-${latest.online ? 'active' : 'quarantined'}`}>{latest.online ? 'Online' : 'Offline'}</span> since{' '}
          {formatDateTime(latest.onlineChangedAt)}
        </dd>
        <dt>Last report</dt>
        <dd title={formatDateTime(latest.lastReportAt)}>{formatAgo(latest.lastReportAt)}</dd>
        <dt>Latest readings</dt>
        <dd>
          {Object.entries(latest.metrics)
            .map(([k, v]) => `${k} ${typeof v === 'number' ? num.format(v) : String(v)}`)
            .join(' · ') || '—'}
        </dd>
      </dl>
      {metric && (
        <>
          <div className="filters" style={{ margin: '0.75rem 0 0.5rem' }}>
            <div className="field">
              <label htmlFor="tm-metric">Metric</label>
              <select id="tm-metric" value={metric} onChange={(e) => setChosen(e.target.value)}>
                {metrics.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="tm-range">Time range</label>
              <select id="tm-range" value={rangeId} onChange={(e) => setRangeId(e.target.value as typeof rangeId)}>
                {RANGES.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
              {asTable ? 'Show chart' : 'Show as table'}
            </button>
          </div>
          <ErrorNote error={series.error} />
          <p className="muted small" data-testid="series-summary" aria-live="polite">
            {series.isPending ? 'Loading…' : summary}
          </p>
          {asTable ? (
            <div className="table-scroll" style={{ maxHeight: '16rem' }}>
              <table className="data" aria-label={`${metric} readings`}>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col" className="num">
                      Average
                    </th>
                    <th scope="col" className="num">
                      Min
                    </th>
                    <th scope="col" className="num">
                      Max
                    </th>
                    <th scope="col" className="num">
                      Readings
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.at}>
                      <td>{formatDateTime(p.at)}</td>
                      <td className="num">{num.format(p.avg)}</td>
                      <td className="num">{num.format(p.min)}</td>
                      <td className="num">{num.format(p.max)}</td>
                      <td className="num">{p.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            points.length > 0 && <TimeSeriesChart points={points} label={metric} from={series.data!.telemetrySeries.from} to={series.data!.telemetrySeries.to} />
          )}
        </>
      )}
    </Panel>
  );
}

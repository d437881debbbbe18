import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { SeriesPoint } from '../api/telemetry.js';

/**
 * A metric over time: the bucket average as a line inside its min–max band. Canvas-drawn (uPlot),
 * so thousands of points stay smooth; the caller gives the same numbers as text for screen readers.
 */
export function TimeSeriesChart({ points, label, from, to, height = 220 }: { points: SeriesPoint[]; label: string; from: string; to: string; height?: number }) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const xs = points.map((p) => new Date(p.at).getTime() / 1000);
    const data: uPlot.AlignedData = [xs, points.map((p) => p.min), points.map((p) => p.max), points.map((p) => p.avg)];
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: true },
        // The whole chosen range, so a device that went quiet shows as a gap, not a stretched line.
        scales: { x: { time: true, range: () => [new Date(from).getTime() / 1000, new Date(to).getTime() / 1000] } },
        series: [
          {},
          { label: 'min', stroke: 'rgba(31,95,191,0.25)', width: 1 },
          { label: 'max', stroke: 'rgba(31,95,191,0.25)', width: 1 },
          { label, stroke: '#1f5fbf', width: 2 },
        ],
        bands: [{ series: [2, 1], fill: 'rgba(31,95,191,0.10)' }],
        axes: [{}, { size: 60 }],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, label, from, to, height]);

  return <div ref={host} className="chart" role="img" aria-label={`Chart of ${label}`} />;
}

import { useMemo } from 'react';
import { useLocation } from 'wouter';
import { layoutContactGraph, type GraphNodeInput } from './contact-graph.js';

const TIER_FILL: Record<number, string> = { 1: '#d9480f', 2: '#f08c00', 3: '#fcc419', 4: '#adb5bd' };
const R = 9;

/**
 * Who contacted whom, as a small SVG: compromised devices in the middle, the devices they reached
 * around them, arrows the way connections were opened. Clicking a device opens it; the ranked list
 * beside it carries the same devices for keyboards and screen readers.
 */
export function ContactGraph({ nodes, size = 520 }: { nodes: readonly GraphNodeInput[]; size?: number }) {
  const [, navigate] = useLocation();
  const g = useMemo(() => layoutContactGraph(nodes, { size }), [nodes, size]);
  const at = new Map(g.nodes.map((n) => [n.id, n]));
  const compromised = g.nodes.filter((n) => n.hops === 0).length;
  const summary = `Contact graph: ${compromised} compromised device${compromised === 1 ? '' : 's'} and ${g.nodes.length - compromised} device${g.nodes.length - compromised === 1 ? '' : 's'} they were in contact with${g.hidden ? ` (${g.hidden} more in the list)` : ''}.`;

  if (g.edges.length === 0) return <p className="muted small">No contacts recorded between the compromised devices and the rest of the fleet.</p>;
  return (
    <figure className="contact-graph">
      <svg viewBox={`0 0 ${size} ${size}`} width="100%" style={{ maxWidth: size }} role="img" aria-label={summary} data-testid="contact-graph">
        <defs>
          <marker id="cg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#6c757d" />
          </marker>
        </defs>
        {g.edges.map((e) => {
          const a = at.get(e.from)!;
          const b = at.get(e.to)!;
          const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
          const [dx, dy] = [((b.x - a.x) / len) * R, ((b.y - a.y) / len) * R];
          return (
            <line
              key={`${e.from}-${e.to}`}
              x1={a.x + dx}
              y1={a.y + dy}
              x2={b.x - dx}
              y2={b.y - dy}
              stroke="#adb5bd"
              strokeWidth={1.4}
              markerEnd={e.direction !== 'backward' ? 'url(#cg-arrow)' : undefined}
              markerStart={e.direction !== 'forward' ? 'url(#cg-arrow)' : undefined}
            />
          );
        })}
        {g.nodes.map((n) => (
          <g key={n.id} className="cg-node" onClick={() => navigate(`/devices/${n.id}`)} data-device-id={n.id}>
            <title>{`${n.label}${n.hops === 0 ? ' — compromised' : ` — tier ${n.tier ?? '?'}, ${n.hops} hop${n.hops === 1 ? '' : 's'} away`}`}</title>
            <circle cx={n.x} cy={n.y} r={n.hops === 0 ? R + 3 : R} fill={n.hops === 0 ? '#8a1c12' : (TIER_FILL[n.tier ?? 4] ?? '#adb5bd')} stroke="#fff" strokeWidth={2} />
            {(n.hops === 0 || g.nodes.length <= 16) && (
              <text x={n.x} y={n.y + R + 14} textAnchor="middle" fontSize={11} fill="#1b1f24" stroke="#fff" strokeWidth={3} paintOrder="stroke">
                {n.label.length > 18 ? `${n.label.slice(0, 17)}…` : n.label}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="muted small">
        <span className="cg-key" style={{ background: '#8a1c12' }} /> compromised <span className="cg-key" style={{ background: TIER_FILL[1] }} /> tier 1{' '}
        <span className="cg-key" style={{ background: TIER_FILL[2] }} /> tier 2 <span className="cg-key" style={{ background: TIER_FILL[3] }} /> tier 3 · arrows point the way
        connections were opened{g.hidden ? ` · ${g.hidden} more devices in the list` : ''}
      </figcaption>
    </figure>
  );
}

import { describe, expect, it } from 'vitest';
import { layoutContactGraph, type GraphNodeInput } from './contact-graph.js';

const zero: GraphNodeInput = { id: 'z', label: 'patient zero', hops: 0 };
const hop1 = (id: string, extra: Partial<GraphNodeInput> = {}): GraphNodeInput => ({ id, label: id, hops: 1, via: 'z', contactedBy: true, ...extra });

describe('contact graph layout', () => {
  it('puts one compromised device in the middle and its contacts on a ring around it', () => {
    const g = layoutContactGraph([zero, hop1('a'), hop1('b'), hop1('c'), hop1('d')], { size: 400 });
    const z = g.nodes.find((n) => n.id === 'z')!;
    expect([z.x, z.y]).toEqual([200, 200]);
    const radii = g.nodes.filter((n) => n.hops === 1).map((n) => Math.round(Math.hypot(n.x - 200, n.y - 200)));
    expect(new Set(radii).size).toBe(1);
    expect(radii[0]).toBeGreaterThan(100);
    expect(g.edges).toHaveLength(4);
  });

  it('points edges the way connections were opened', () => {
    const g = layoutContactGraph([zero, hop1('a'), hop1('b', { contactedBy: false, contacted: true }), hop1('c', { contacted: true })]);
    expect(Object.fromEntries(g.edges.map((e) => [e.to, e.direction]))).toEqual({ a: 'forward', b: 'backward', c: 'both' });
  });

  it('places a second-hop device further out, near the device it was reached through', () => {
    const g = layoutContactGraph([zero, hop1('a'), hop1('b'), hop1('c'), hop1('d'), { id: 'a2', label: 'a2', hops: 2, via: 'a', contactedBy: true }]);
    const at = (id: string) => g.nodes.find((n) => n.id === id)!;
    expect(Math.hypot(at('a2').x - at('z').x, at('a2').y - at('z').y)).toBeGreaterThan(Math.hypot(at('a').x - at('z').x, at('a').y - at('z').y));
    const nearest = ['a', 'b', 'c', 'd'].sort((p, q) => Math.hypot(at(p).x - at('a2').x, at(p).y - at('a2').y) - Math.hypot(at(q).x - at('a2').x, at(q).y - at('a2').y))[0];
    expect(nearest).toBe('a');
  });

  it('draws at most `limit` devices, nearest first, never one whose path is hidden', () => {
    const many = [zero, ...Array.from({ length: 30 }, (_, i) => hop1(`n${String(i).padStart(2, '0')}`)), { id: 'far', label: 'far', hops: 2, via: 'n29' }];
    const g = layoutContactGraph(many, { limit: 10 });
    expect(g.nodes).toHaveLength(10);
    expect(g.hidden).toBe(22);
    expect(g.nodes.some((n) => n.id === 'far')).toBe(false);
    expect(g.edges.every((e) => g.nodes.some((n) => n.id === e.from))).toBe(true);
  });
});

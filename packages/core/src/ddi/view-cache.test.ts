import { describe, expect, it } from 'vitest';
import type { ControllerView } from './controller.js';
import { ControllerViewCache } from './view-cache.js';

const idle: ControllerView = { action: null, configRequested: false };
const busy: ControllerView = { action: { id: 7, canceling: false }, configRequested: false };

function setup(ttlMs = 60_000) {
  let t = 0;
  const cache = new ControllerViewCache(ttlMs, 1000, () => t);
  let reads = 0;
  const load = (view: ControllerView) => async () => (reads++, view);
  return { cache, load, reads: () => reads, advance: (ms: number) => (t += ms) };
}

describe('ControllerViewCache', () => {
  it('answers repeated polls from memory while listening, and reads again after an invalidation', async () => {
    const { cache, load, reads } = setup();
    cache.setListening(true);
    expect(await cache.get('d1', load(idle))).toEqual(idle);
    expect(await cache.get('d1', load(busy))).toEqual(idle);
    expect(reads()).toBe(1);
    cache.invalidate(['d1']);
    expect(await cache.get('d1', load(busy))).toEqual(busy);
    expect(reads()).toBe(2);
  });

  it('keeps nothing while the listener is not connected, and forgets everything when it drops', async () => {
    const { cache, load, reads } = setup();
    await cache.get('d1', load(idle));
    await cache.get('d1', load(idle));
    expect(reads()).toBe(2);
    cache.setListening(true);
    await cache.get('d1', load(idle));
    cache.setListening(false);
    expect(await cache.get('d1', load(busy))).toEqual(busy);
    expect(reads()).toBe(4);
  });

  it('does not keep an answer whose device changed while it was being read', async () => {
    const { cache } = setup();
    cache.setListening(true);
    let release!: () => void;
    const slow = () => new Promise<ControllerView>((resolve) => (release = () => resolve(idle)));
    const pending = cache.get('d1', slow);
    cache.invalidate(['d1']);
    release();
    expect(await pending).toEqual(idle);
    expect(cache.size).toBe(0);
  });

  it('does not keep an answer read before the listener (re)connected', async () => {
    const { cache } = setup();
    let release!: () => void;
    const pending = cache.get('d1', () => new Promise<ControllerView>((resolve) => (release = () => resolve(idle))));
    cache.setListening(true);
    release();
    await pending;
    expect(cache.size).toBe(0);
  });

  it('lets answers expire after the time to live', async () => {
    const { cache, load, reads, advance } = setup(5_000);
    cache.setListening(true);
    await cache.get('d1', load(idle));
    advance(4_999);
    await cache.get('d1', load(idle));
    expect(reads()).toBe(1);
    advance(2);
    expect(await cache.get('d1', load(busy))).toEqual(busy);
    expect(reads()).toBe(2);
  });

  it('an invalidation of one device leaves the others cached', async () => {
    const { cache, load, reads } = setup();
    cache.setListening(true);
    await cache.get('d1', load(idle));
    await cache.get('d2', load(idle));
    cache.invalidate(['d2']);
    await cache.get('d1', load(busy));
    expect(reads()).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the timing wheel', () => {
  it('runs tasks at their due time in due order, including ones further out than one turn of the wheel', async () => {
    const wheel = new Scheduler({ tickMs: 5, slots: 8 }); // one turn = 40 ms
    const ran: { name: string; at: number; due: number }[] = [];
    const t0 = wheel.now();
    for (const [name, delay] of [['c', 120], ['a', 10], ['b', 45], ['d', 90]] as const) {
      wheel.at(t0 + delay, (due) => ran.push({ name, at: wheel.now(), due }));
    }
    wheel.start();
    await sleep(400);
    wheel.stop();
    expect(ran.map((r) => r.name)).toEqual(['a', 'b', 'd', 'c']);
    for (const r of ran) {
      expect(r.at).toBeGreaterThanOrEqual(r.due - 5); // never early by more than a tick
      expect(r.at - r.due).toBeLessThan(250); // generous: test files share two cores
    }
  });

  it('runs a task scheduled for now from inside a task on the next tick, not a turn later', async () => {
    const wheel = new Scheduler({ tickMs: 5, slots: 64 }); // one turn = 320 ms
    let outer = 0;
    let inner = 0;
    wheel.at(wheel.now() + 10, () => {
      outer = wheel.now();
      wheel.at(wheel.now(), () => (inner = wheel.now()));
    });
    wheel.start();
    await sleep(600);
    wheel.stop();
    expect(inner).toBeGreaterThan(0);
    expect(inner - outer).toBeLessThan(160); // a bug would cost a whole turn (320 ms)
  });

  it('reports the lag when the event loop is held up, and runs what it missed instead of dropping it', async () => {
    const wheel = new Scheduler({ tickMs: 5 });
    let ran = 0;
    const t0 = wheel.now();
    for (let i = 0; i < 20; i++) wheel.at(t0 + 10 + i, () => ran++);
    wheel.start();
    const until = Date.now() + 120;
    while (Date.now() < until) {
      /* hold the loop */
    }
    await sleep(30);
    wheel.stop();
    expect(ran).toBe(20);
    const stats = wheel.stats();
    expect(stats.max).toBeGreaterThanOrEqual(80);
    expect(stats.pending).toBe(0);
    expect(stats.ran).toBe(20);
  });
});

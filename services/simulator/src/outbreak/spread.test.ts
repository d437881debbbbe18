import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTBREAK,
  NO_DEFENCES,
  compareVersions,
  isVulnerable,
  pickEntry,
  spreadRound,
  startOutbreak,
  uncontainedReach,
  type Defences,
  type OutbreakParams,
  type OutbreakState,
  type SpreadWorld,
} from './spread.js';

const BULB = 'Lumen/A19 Smart Bulb';
const SENSOR = 'Sense/Env S1';

/** Three segments of 60 devices: every other device a bulb, half of those on vulnerable firmware. */
function office(): { world: SpreadWorld; firmware: string[] } {
  const devices: SpreadWorld['devices'][number][] = [];
  const firmware: string[] = [];
  const bySegment = new Map<string, number[]>();
  for (const [s, segment] of ['iot-f1', 'iot-f2', 'iot-f3'].entries()) {
    for (let i = 0; i < 60; i++) {
      const index = devices.length;
      const bulb = i % 2 === 0;
      devices.push({ id: `id-${index}`, serial: `SN-${index}`, controllerId: `ctl-${index}`, model: bulb ? BULB : SENSOR, segment, ip: `10.20.${s + 1}.${i + 10}` });
      firmware.push(bulb && i % 4 === 0 ? '2.4.0' : '2.5.2');
      bySegment.set(segment, [...(bySegment.get(segment) ?? []), index]);
    }
  }
  return { world: { devices, bySegment }, firmware };
}

const params = (p: Partial<OutbreakParams> = {}): OutbreakParams => ({ ...DEFAULT_OUTBREAK, offlineShare: 0, ...p });

function run(world: SpreadWorld, p: OutbreakParams, seed: number, rounds: number, defences: (state: OutbreakState) => Defences) {
  const base = office().firmware;
  let state = startOutbreak(world, p, seed, (i) => base[i]!);
  const history = [];
  for (let r = 0; r < rounds; r++) {
    const res = spreadRound(world, p, seed, state, defences(state));
    history.push(res);
    state = res.state;
  }
  return { state, history };
}

describe('worm spread', () => {
  const { world, firmware } = office();
  const fw = (i: number) => firmware[i]!;
  const vulnerable = new Set(world.devices.flatMap((d, i) => (isVulnerable(d.model, fw(i), DEFAULT_OUTBREAK.vulnerable) ? [i] : [])));

  it('is the same for the same seed and differs for another seed', () => {
    const a = uncontainedReach(world, params({ crossSegmentShare: 0.1 }), 7, 12, fw);
    const b = uncontainedReach(world, params({ crossSegmentShare: 0.1 }), 7, 12, fw);
    const c = uncontainedReach(world, params({ crossSegmentShare: 0.1 }), 8, 12, fw);
    expect([...b.reached].sort()).toEqual([...a.reached].sort());
    expect([...c.reached].sort()).not.toEqual([...a.reached].sort());
  });

  it('infects only devices on vulnerable firmware, and reaches most of them in its segment', () => {
    const state = uncontainedReach(world, params({ crossSegmentShare: 0 }), 3, 30, fw);
    const entry = [...state.reached][0]!;
    expect(vulnerable.has(entry)).toBe(true);
    for (const d of state.reached) expect(vulnerable.has(d)).toBe(true);
    const segment = world.devices[entry]!.segment;
    const inSegment = [...vulnerable].filter((d) => world.devices[d]!.segment === segment);
    for (const d of state.reached) expect(world.devices[d]!.segment).toBe(segment);
    expect(state.reached.size).toBeGreaterThanOrEqual(inSegment.length - 2);
  });

  it('scans its segment on management ports, fast enough for fan-out detection (10 peers within a few rounds)', () => {
    const { history } = run(world, params({ crossSegmentShare: 0 }), 3, 3, () => NO_DEFENCES(fw));
    const entry = history[0]!.scans[0]!.from;
    const peers = new Set(history.flatMap((h) => h.scans.filter((s) => s.from === entry).map((s) => s.to)));
    expect(peers.size).toBeGreaterThanOrEqual(10);
    for (const s of history.flatMap((h) => h.scans)) expect(DEFAULT_OUTBREAK.ports).toContain(s.port);
  });

  it('crosses segments when allowed, and not out of an isolated segment', () => {
    const open = uncontainedReach(world, params({ crossSegmentShare: 0.3 }), 5, 25, fw);
    expect(new Set([...open.reached].map((d) => world.devices[d]!.segment)).size).toBeGreaterThan(1);
    const { state, history } = run(world, params({ crossSegmentShare: 0.3 }), 5, 25, () => ({ ...NO_DEFENCES(fw), isolated: () => true }));
    expect(new Set([...state.reached].map((d) => world.devices[d]!.segment)).size).toBe(1);
    const crossing = history.flatMap((h) => h.scans).filter((s) => world.devices[s.from]!.segment !== world.devices[s.to]!.segment);
    expect(crossing.length).toBeGreaterThan(0);
    expect(crossing.every((s) => s.outcome === 'blocked')).toBe(true);
  });

  it('goes nowhere when the entry point is quarantined: its scans are blocked', () => {
    const { state, history } = run(world, params(), 3, 10, () => ({ ...NO_DEFENCES(fw), quarantined: () => true }));
    expect(state.reached.size).toBe(1);
    expect(history.flatMap((h) => h.scans).every((s) => s.outcome === 'blocked')).toBe(true);
  });

  it('cures patched devices and cannot infect them again', () => {
    const patched = new Set<number>();
    let infectedAtPatch: number[] = [];
    const { state, history } = run(world, params({ crossSegmentShare: 0 }), 3, 30, (s) => {
      // The emergency patch lands on every vulnerable device before round 5.
      if (s.round === 4) {
        infectedAtPatch = [...s.infected.keys()];
        for (const d of vulnerable) patched.add(d);
      }
      return NO_DEFENCES((i) => (patched.has(i) ? '2.5.2' : fw(i)));
    });
    expect(infectedAtPatch.length).toBeGreaterThan(1);
    expect(history[4]!.cured.sort()).toEqual(infectedAtPatch.sort());
    expect(state.infected.size).toBe(0);
    expect(history.slice(4).flatMap((h) => h.infected)).toEqual([]);
    expect(history.slice(5).flatMap((h) => h.scans)).toEqual([]);
  });

  it('reaches fewer devices with containment than the same seed without (many seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = params({ crossSegmentShare: 0.1 });
      const uncontained = uncontainedReach(world, p, seed, 20, fw);
      // Responders quarantine every infected device from round 3 on (as detection and a playbook would).
      const quarantined = new Set<number>();
      const { state } = run(world, p, seed, 20, (s) => {
        if (s.round >= 3) for (const d of s.infected.keys()) quarantined.add(d);
        return { ...NO_DEFENCES(fw), quarantined: (d) => quarantined.has(d) };
      });
      expect(state.reached.size).toBeLessThanOrEqual(uncontained.reached.size);
      if (uncontained.reached.size > 10) expect(state.reached.size).toBeLessThan(uncontained.reached.size);
    }
  });

  it('drops a share of infected devices offline after the configured rounds; offline devices stop scanning', () => {
    const p = params({ offlineShare: 1, offlineAfterRounds: 2, crossSegmentShare: 0 });
    const { history } = run(world, p, 3, 6, () => NO_DEFENCES(fw));
    const entry = history[0]!.scans[0]!.from;
    expect(history[1]!.offline).toContain(entry);
    for (const h of history.slice(2)) expect(h.scans.some((s) => s.from === entry)).toBe(false);
  });

  it('enters where told, or refuses an unknown device and an office without vulnerable firmware', () => {
    expect(pickEntry(world, params({ entry: 'SN-64' }), 1, fw)).toBe(64);
    expect(pickEntry(world, params({ entry: 'ctl-70' }), 1, fw)).toBe(70);
    expect(() => pickEntry(world, params({ entry: 'nope' }), 1, fw)).toThrow(/not a device/);
    expect(() => pickEntry(world, params(), 1, () => '9.9.9')).toThrow(/no device runs vulnerable firmware/);
  });
});

describe('versions', () => {
  it('compares dotted numbers numerically', () => {
    expect(compareVersions('2.4.0', '2.5.0')).toBe(-1);
    expect(compareVersions('2.10.1', '2.9.9')).toBe(1);
    expect(compareVersions('v1.2', '1.2.0')).toBe(0);
    expect(isVulnerable(BULB, '2.4.9', DEFAULT_OUTBREAK.vulnerable)).toBe(true);
    expect(isVulnerable(BULB, '2.5.0', DEFAULT_OUTBREAK.vulnerable)).toBe(false);
    expect(isVulnerable(SENSOR, '0.1.0', DEFAULT_OUTBREAK.vulnerable)).toBe(false);
  });
});

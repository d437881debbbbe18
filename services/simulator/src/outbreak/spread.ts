import { stream } from '../rng.js';

/**
 * How the simulated worm spreads, round by round. Pure: it takes the office, the parameters, the
 * seed, the state after the last round and what the defences look like now (quarantined devices,
 * isolated segments, the firmware each device runs), and returns the next state with every scan
 * it made. Each infected device draws its scans from its own stream of the seed for that round,
 * so a defence changes what happens to the scans, never which scans are made: the same seed with
 * and without containment is a fair comparison.
 */

/** Firmware of `model` (vendor/name) below version `below` is vulnerable. */
export interface VulnerableFirmware {
  model: string;
  below: string;
}

export interface OutbreakParams {
  /** Serial, controller id or device id of the first infected device; unset: a seeded pick among vulnerable devices. */
  entry?: string | undefined;
  /** Scans each infected device makes per round. */
  spreadRate: number;
  /** Chance that a scan reaching a vulnerable device infects it. */
  infectChance: number;
  /** Share of scans aimed at other segments (0: the worm stays in its segment). */
  crossSegmentShare: number;
  vulnerable: VulnerableFirmware[];
  /** Share of infected devices that drop offline (bricked), and how many rounds after infection. */
  offlineShare: number;
  offlineAfterRounds: number;
  /** Management ports the worm scans (telnet, SSH, ...). */
  ports: number[];
}

export const DEFAULT_OUTBREAK: OutbreakParams = {
  spreadRate: 4,
  infectChance: 0.5,
  crossSegmentShare: 0.05,
  vulnerable: [{ model: 'Lumen/A19 Smart Bulb', below: '2.5.0' }],
  offlineShare: 0.2,
  offlineAfterRounds: 8,
  ports: [23, 2323, 22],
};

export interface SpreadWorld {
  devices: readonly { id: string; serial: string; controllerId: string; model: string; segment: string; ip: string }[];
  bySegment: ReadonlyMap<string, readonly number[]>;
}

/** The defences as they stand at the start of a round. */
export interface Defences {
  quarantined(device: number): boolean;
  /** The device's segment is isolated from the others (and the device is not exempt). */
  isolated(device: number): boolean;
  /** The firmware version a device runs now (a patched device runs the fixed one). */
  firmware(device: number): string;
}

export interface Infection {
  /** Round it was infected in (0: the entry point). */
  round: number;
  /** Round it drops offline, if it does. */
  offlineAt: number | null;
}

export interface OutbreakState {
  round: number;
  /** Devices infected now (a patched device is cured and leaves this map). */
  infected: ReadonlyMap<number, Infection>;
  /** Devices that dropped offline. */
  offline: ReadonlySet<number>;
  /** Every device ever infected, cured or not: how far the worm reached. */
  reached: ReadonlySet<number>;
}

export type ScanOutcome = 'infected' | 'refused' | 'already' | 'blocked' | 'no-answer';

export interface Scan {
  from: number;
  to: number;
  port: number;
  outcome: ScanOutcome;
}

export interface RoundResult {
  state: OutbreakState;
  scans: Scan[];
  /** Newly infected this round. */
  infected: number[];
  /** Dropped offline this round. */
  offline: number[];
  /** Patched (running firmware that is no longer vulnerable) and so cured this round. */
  cured: number[];
}

/** Compares dotted numeric versions (`2.4.0` < `2.10.1`); other parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/i, '').split(/[.+-]/);
  const pb = b.replace(/^v/i, '').split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

export function isVulnerable(model: string, firmware: string, vulnerable: readonly VulnerableFirmware[]): boolean {
  return vulnerable.some((v) => v.model === model && compareVersions(firmware, v.below) < 0);
}

export const NO_DEFENCES = (firmware: (device: number) => string): Defences => ({
  quarantined: () => false,
  isolated: () => false,
  firmware,
});

/** The first infected device: the configured entry point, else a seeded pick among the vulnerable. */
export function pickEntry(world: SpreadWorld, params: OutbreakParams, seed: number, firmware: (device: number) => string): number {
  if (params.entry) {
    const i = world.devices.findIndex((d) => d.serial === params.entry || d.controllerId === params.entry || d.id === params.entry);
    if (i < 0) throw new Error(`outbreak entry point ${params.entry} is not a device of this office`);
    return i;
  }
  const candidates = world.devices.flatMap((d, i) => (isVulnerable(d.model, firmware(i), params.vulnerable) ? [i] : []));
  if (!candidates.length) throw new Error('no device runs vulnerable firmware: nothing for the worm to enter through');
  return candidates[Math.floor(stream(seed, 'worm-entry')() * candidates.length)]!;
}

function infection(params: OutbreakParams, seed: number, device: number, round: number): Infection {
  const drops = stream(seed, 'worm-offline', device)() < params.offlineShare;
  return { round, offlineAt: drops ? round + params.offlineAfterRounds : null };
}

export function startOutbreak(world: SpreadWorld, params: OutbreakParams, seed: number, firmware: (device: number) => string): OutbreakState {
  const entry = pickEntry(world, params, seed, firmware);
  return { round: 0, infected: new Map([[entry, infection(params, seed, entry, 0)]]), offline: new Set(), reached: new Set([entry]) };
}

/** One round: cures patched devices, drops due ones offline, then every active infected device scans. */
export function spreadRound(world: SpreadWorld, params: OutbreakParams, seed: number, prev: OutbreakState, defences: Defences): RoundResult {
  const round = prev.round + 1;
  const infected = new Map(prev.infected);
  const offline = new Set(prev.offline);
  const reached = new Set(prev.reached);
  const cured: number[] = [];
  const dropped: number[] = [];
  for (const [d, inf] of prev.infected) {
    if (offline.has(d)) continue;
    if (!isVulnerable(world.devices[d]!.model, defences.firmware(d), params.vulnerable)) {
      infected.delete(d);
      cured.push(d);
    } else if (inf.offlineAt !== null && inf.offlineAt <= round) {
      offline.add(d);
      dropped.push(d);
    }
  }
  const segments = [...world.bySegment.keys()];
  const scans: Scan[] = [];
  const fresh: number[] = [];
  // Scanners in a fixed order, so results do not depend on the order infections happened in.
  const scanners = [...prev.infected.keys()].filter((d) => infected.has(d) && !offline.has(d)).sort((a, b) => a - b);
  for (const from of scanners) {
    const rand = stream(seed, 'worm', round, from);
    const own = world.devices[from]!.segment;
    for (let k = 0; k < params.spreadRate; k++) {
      const cross = segments.length > 1 && rand() < params.crossSegmentShare;
      const segment = cross ? segments.filter((s) => s !== own)[Math.floor(rand() * (segments.length - 1))]! : own;
      const members = world.bySegment.get(segment)!;
      const to = members[Math.floor(rand() * members.length)]!;
      const port = params.ports[Math.floor(rand() * params.ports.length)]!;
      const luck = rand();
      if (to === from) continue;
      let outcome: ScanOutcome;
      if (defences.quarantined(from) || defences.quarantined(to) || (cross && (defences.isolated(from) || defences.isolated(to)))) {
        outcome = 'blocked';
      } else if (offline.has(to)) outcome = 'no-answer';
      else if (infected.has(to)) outcome = 'already';
      else if (isVulnerable(world.devices[to]!.model, defences.firmware(to), params.vulnerable) && luck < params.infectChance) {
        outcome = 'infected';
        infected.set(to, infection(params, seed, to, round));
        reached.add(to);
        fresh.push(to);
      } else outcome = 'refused';
      scans.push({ from, to, port, outcome });
    }
  }
  return { state: { round, infected, offline, reached }, scans, infected: fresh, offline: dropped, cured };
}

/** The outbreak over `rounds` rounds with no defences at all: what containment is measured against. */
export function uncontainedReach(world: SpreadWorld, params: OutbreakParams, seed: number, rounds: number, firmware: (device: number) => string): OutbreakState {
  let state = startOutbreak(world, params, seed, firmware);
  const defences = NO_DEFENCES(firmware);
  for (let r = 0; r < rounds; r++) state = spreadRound(world, params, seed, state, defences).state;
  return state;
}

import type { VirtualDevice } from '../device.js';
import type { Flow } from '../office/behaviour.js';
import { between, stream } from '../rng.js';
import type { Scheduler } from '../scheduler.js';
import { isVulnerable, spreadRound, startOutbreak, uncontainedReach, type OutbreakParams, type OutbreakState, type SpreadWorld } from './spread.js';

/**
 * Runs the worm in the live office: a round every `roundMs`, with the defences read from the
 * devices (containment learnt over MQTT, firmware they installed over DDI). What the worm does
 * shows up where Warden can see it: scans and exfiltration as flows in the scanner's next report,
 * failed logins as events of the devices it tried, bricked devices as silence.
 */
export interface OutbreakStatus {
  launched: boolean;
  /** Serial of the device it entered through. */
  entry: string | null;
  round: number;
  /** Infected now (not cured). */
  infected: number;
  /** Infected, up and not quarantined: free to scan their segment. Contained when 0. */
  free: number;
  /** Every device it ever infected. */
  reached: number;
  offline: number;
  cured: number;
  scans: number;
  /** Scans the network dropped (quarantine, segment isolation). */
  blocked: number;
  /** How many devices the same seeded outbreak reaches in as many rounds with no containment and no patching. */
  uncontainedReach: number;
  /** Devices on vulnerable firmware when it began. */
  vulnerableAtStart: number;
}

export interface OutbreakOptions {
  devices: VirtualDevice[];
  bySegment: ReadonlyMap<string, readonly number[]>;
  params: OutbreakParams;
  seed: number;
  roundMs: number;
  exfil: string;
  scheduler: Scheduler;
  /** Called when the worm bricks a device. */
  onOffline(d: VirtualDevice): void;
}

export function createOutbreak(o: OutbreakOptions) {
  const world: SpreadWorld = { devices: o.devices, bySegment: o.bySegment };
  let state: OutbreakState | null = null;
  let startFirmware: string[] = [];
  let vulnerableAtStart = 0;
  let cured = 0;
  let scans = 0;
  let blocked = 0;
  let stopped = false;
  let counterfactual = { round: -1, reach: 0 };
  const defences = {
    quarantined: (i: number) => o.devices[i]!.rt.quarantined,
    isolated: (i: number) => o.devices[i]!.rt.isolated,
    firmware: (i: number) => o.devices[i]!.rt.firmware,
  };

  function round(): void {
    if (!state || stopped) return;
    const r = spreadRound(world, o.params, o.seed, state, defences);
    state = r.state;
    cured += r.cured.length;
    for (const i of r.offline) o.onOffline(o.devices[i]!);
    for (const s of r.scans) {
      scans++;
      if (s.outcome === 'blocked') {
        blocked++;
        continue;
      }
      const from = o.devices[s.from]!;
      const to = o.devices[s.to]!;
      const answered = s.outcome !== 'no-answer';
      from.rt.pendingFlows.push({ peer: to.ip, port: s.port, protocol: 'tcp', outbound: true, bytes: answered ? 420 : 60, packets: answered ? 7 : 1 });
      if (s.outcome === 'refused' && to.rt.online) {
        to.rt.pendingEvents.push({ type: 'AUTH_FAILURE', detail: `login refused on port ${s.port} from ${from.ip}`, count: 1 });
      }
    }
    // Infected devices that are still up call home and hammer their own services with logins.
    for (const [i] of state.infected) {
      const d = o.devices[i]!;
      if (state.offline.has(i) || !d.rt.online) continue;
      const rand = stream(o.seed, 'worm-exfil', state.round, i);
      if (!d.rt.quarantined) d.rt.pendingFlows.push(exfilFlow(o.exfil, between(rand, 40_000, 160_000)));
      d.rt.pendingEvents.push({ type: 'AUTH_FAILURE', detail: 'root login failed (telnet)', count: between(rand, 4, 9) });
    }
    o.scheduler.after(o.roundMs, round);
  }

  return {
    /** Starts the outbreak; returns the entry device. Throws when no device can be infected. */
    launch(): VirtualDevice {
      if (state) throw new Error('the outbreak is already running');
      startFirmware = o.devices.map((d) => d.rt.firmware);
      state = startOutbreak(world, o.params, o.seed, (i) => startFirmware[i]!);
      vulnerableAtStart = o.devices.filter((d) => isVulnerable(d.model, d.rt.firmware, o.params.vulnerable)).length;
      o.scheduler.after(o.roundMs, round);
      return o.devices[[...state.reached][0]!]!;
    },
    /** Whether a device carries the worm now. */
    infected: (i: number) => state?.infected.has(i) ?? false,
    reached: (): number[] => (state ? [...state.reached] : []),
    status(): OutbreakStatus {
      if (!state) {
        return { launched: false, entry: null, round: 0, infected: 0, free: 0, reached: 0, offline: 0, cured: 0, scans: 0, blocked: 0, uncontainedReach: 0, vulnerableAtStart: 0 };
      }
      if (counterfactual.round !== state.round) {
        counterfactual = { round: state.round, reach: uncontainedReach(world, o.params, o.seed, state.round, (i) => startFirmware[i]!).reached.size };
      }
      return {
        launched: true,
        entry: o.devices[[...state.reached][0]!]!.serial,
        round: state.round,
        infected: state.infected.size,
        free: [...state.infected.keys()].filter((i) => !state!.offline.has(i) && o.devices[i]!.rt.online && !o.devices[i]!.rt.quarantined).length,
        reached: state.reached.size,
        offline: state.offline.size,
        cured,
        scans,
        blocked,
        uncontainedReach: counterfactual.reach,
        vulnerableAtStart,
      };
    },
    stop(): void {
      stopped = true;
    },
  };
}

function exfilFlow(peer: string, bytes: number): Flow {
  return { peer, port: 443, protocol: 'tcp', outbound: true, bytes, packets: Math.ceil(bytes / 1200) };
}

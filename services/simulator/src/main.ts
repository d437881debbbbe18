import { once as eventOnce } from 'node:events';
import { loadConfig, type Config } from '@warden/config';
import { createLogger, once, stopOnSignals } from '@warden/runtime';
import { controlServer } from './control.js';
import { readRoster } from './roster.js';
import { createSimulator, type Simulator } from './simulator.js';
import { DEFAULT_OUTBREAK } from './outbreak/spread.js';

/** The simulator's options from Warden's configuration (`SIM_*`). */
export function simulatorOptions(config: Config): Omit<Parameters<typeof createSimulator>[0], 'roster' | 'log'> {
  const s = config.simulator;
  return {
    devices: s.devices,
    seed: s.seed,
    gatewayUrl: s.gatewayUrl,
    mqttUrl: config.mqttUrl,
    mqttTelemetryTopic: config.telemetry.mqttTopic,
    httpConnections: s.httpConnections,
    telemetry: s.telemetry,
    initialPollSeconds: config.ddi.pollSeconds,
    updates: s.updates,
    containment: s.containment,
    outbreak: {
      params: {
        ...DEFAULT_OUTBREAK,
        entry: s.outbreak.entry,
        spreadRate: s.outbreak.spreadRate,
        infectChance: s.outbreak.infectChance,
        crossSegmentShare: s.outbreak.crossSegmentShare,
        vulnerable: s.outbreak.vulnerable,
      },
      roundSeconds: s.outbreak.roundSeconds,
      exfil: s.outbreak.exfil,
    },
  };
}

/** Wires config → roster → virtual office → control endpoint, and returns `{ start, stop }`. */
export async function createSimulatorService(config: Config = loadConfig()) {
  const log = createLogger('simulator', config.logLevel);
  const roster = await readRoster(config.simulator.rosterFile);
  const sim: Simulator = createSimulator({ ...simulatorOptions(config), roster, log });
  const server = controlServer(sim);
  return {
    sim,
    log,
    async start(port = config.simulator.control.port, host = config.simulator.control.host): Promise<number> {
      await sim.start();
      server.listen(port, host);
      await eventOnce(server, 'listening');
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      log.info({ control: `http://${host}:${bound}` }, 'simulator ready');
      return bound;
    },
    stop: once(async () => {
      server.close();
      server.closeAllConnections();
      await sim.stop();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await createSimulatorService();
  stopOnSignals(service, service.log);
  await service.start();
}

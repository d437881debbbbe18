import type { KeyObject } from 'node:crypto';
import type { DeviceRoster, TelemetryMessageInput } from '@warden/contracts';
import type { Logger } from '@warden/runtime';
import { subscribeContainment, type ContainmentFeed } from './containment/feed.js';
import { createDdiAgent, emptyUpdateStats, type UpdateSettings, type UpdateStats } from './ddi/agent.js';
import { trustedKey } from './ddi/verify.js';
import { bootDevice, type VirtualDevice } from './device.js';
import { GatewayHttp } from './http.js';
import { normalReport } from './office/behaviour.js';
import { officeFromRoster, type Office } from './office/office.js';
import { createOutbreak, type OutbreakStatus } from './outbreak/outbreak.js';
import type { OutbreakParams } from './outbreak/spread.js';
import { stream } from './rng.js';
import { Scheduler, type LagStats } from './scheduler.js';
import { httpDeviceSink, httpGatewaySink, mqttSink, type SinkStats, type TelemetrySink } from './telemetry/sinks.js';

/** Largest number of flows and events in one message (telemetry.v1 limits). */
const MAX_FLOWS = 256;
const MAX_EVENTS = 64;

export interface SimulatorOptions {
  roster: DeviceRoster;
  /** Run only the first N devices of the roster. */
  devices?: number | undefined;
  seed: number;
  gatewayUrl: string;
  mqttUrl: string;
  /** The gateway's MQTT telemetry subscription (`$share/<group>/warden/devices/+/telemetry`): devices publish to its topic. */
  mqttTelemetryTopic?: string;
  httpConnections?: number;
  telemetry: { transport: 'http' | 'mqtt'; intervalSeconds: number; auth: 'gateway' | 'device' };
  /** Poll interval until the server says otherwise (its `sleep`). */
  initialPollSeconds: number;
  updates: UpdateSettings;
  /** Learn containment from the devices' MQTT topics (off: the uncontained scenario). */
  containment: boolean;
  outbreak: { params: OutbreakParams; roundSeconds: number; exfil: string };
  log: Logger;
  /** Scheduler resolution (ms). */
  tickMs?: number;
}

export interface SimulatorStatus {
  devices: { total: number; online: number; silent: number; quarantined: number; isolated: number; firmware: Record<string, number> };
  telemetry: SinkStats & { reports: number; intervalSeconds: number; transport: string };
  updates: UpdateStats & { inFlight: number };
  outbreak: OutbreakStatus;
  containment: { enabled: boolean; updates: number; invalid: number };
  schedule: LagStats & { overruns: number };
  http: { requests: number; errors: number; inFlight: number; latencyP50: number; latencyP99: number };
}

export interface Simulator {
  office: Office;
  devices: VirtualDevice[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Starts the outbreak; returns the serial of the device it entered through. */
  launchOutbreak(): string;
  status(): SimulatorStatus;
  /** Devices the worm ever infected (indexes). */
  reached(): number[];
}

export function createSimulator(o: SimulatorOptions): Simulator {
  const office = officeFromRoster(o.roster, o.devices);
  const scheduler = new Scheduler({ tickMs: o.tickMs ?? 10 });
  const http = new GatewayHttp(o.gatewayUrl, { connections: o.httpConnections ?? 32 });
  const key: KeyObject | null = o.roster.firmwareKey ? trustedKey(o.roster.firmwareKey.publicKeyPem) : null;
  const intervalMs = o.telemetry.intervalSeconds * 1000;
  const bootRand = stream(o.seed, 'boot');
  const startedAt = Date.now();
  const devices = office.devices.map((d) => bootDevice(d, startedAt - Math.floor(bootRand() * 30 * 86_400_000), o.initialPollSeconds * 1000));
  const byController = new Map(devices.map((d) => [d.controllerId, d]));
  const updateStats = emptyUpdateStats();
  let sink: TelemetrySink | null = null;
  let feed: ContainmentFeed | null = null;
  let running = false;
  let reports = 0;
  let overruns = 0;
  let updatesInFlight = 0;

  const goSilent = (d: VirtualDevice) => {
    d.rt.online = false;
  };

  const agent = createDdiAgent({
    http,
    scheduler,
    tenant: office.tenant,
    key,
    seed: o.seed,
    updates: o.updates,
    stats: updateStats,
    onInstalled(d, version, sha256) {
      d.rt.firmware = version;
      d.rt.firmwareHash = sha256;
      d.rt.bootedAt = Date.now();
      d.rt.pendingEvents.push({ type: 'FIRMWARE_CHANGE', detail: `now running ${version}`, count: 1 }, { type: 'REBOOT', count: 1 });
      // A device reports as soon as it is back up, so Warden sees the new version without waiting an interval.
      scheduler.after(500, () => report(d));
    },
    onBricked: goSilent,
  });

  const outbreak = createOutbreak({
    devices,
    bySegment: office.bySegment,
    params: o.outbreak.params,
    seed: o.seed,
    roundMs: o.outbreak.roundSeconds * 1000,
    exfil: o.outbreak.exfil,
    scheduler,
    onOffline: goSilent,
  });

  function message(d: VirtualDevice): TelemetryMessageInput {
    const seq = d.rt.seq++;
    const now = Date.now();
    const rand = stream(o.seed, 'telemetry', d.index, seq);
    const r = normalReport(office, d, rand, now, o.telemetry.intervalSeconds, (now - d.rt.bootedAt) / 1000);
    if (outbreak.infected(d.index)) {
      r.metrics.cpu = Math.round(85 + rand() * 14);
      r.metrics.connections = (r.metrics.connections ?? 0) + d.rt.pendingFlows.length;
    }
    // A quarantined device reaches nothing but its management channel: its usual conversations stop
    // (what it did before the quarantine took hold is still reported).
    const flows = d.rt.quarantined ? d.rt.pendingFlows : [...r.flows, ...d.rt.pendingFlows];
    const events = [...r.events, ...d.rt.pendingEvents];
    d.rt.pendingFlows = flows.length > MAX_FLOWS ? flows.slice(MAX_FLOWS) : [];
    d.rt.pendingEvents = events.length > MAX_EVENTS ? events.slice(MAX_EVENTS) : [];
    return {
      deviceId: d.id,
      seq,
      ts: new Date(now).toISOString(),
      metrics: r.metrics,
      flows: flows.slice(0, MAX_FLOWS),
      events: events.slice(0, MAX_EVENTS),
      firmware: { version: d.rt.firmware, ...(d.rt.firmwareHash ? { hash: d.rt.firmwareHash } : {}) },
      ip: d.ip,
      interval: Math.max(1, Math.round(o.telemetry.intervalSeconds)),
    };
  }

  function report(d: VirtualDevice): void {
    if (!running || !d.rt.online || !sink) return;
    reports++;
    sink.send(message(d), d);
  }

  /** Re-arms a periodic task from its due time (not from when it ran), so it does not drift. */
  function every(d: VirtualDevice, periodMs: () => number, first: number, task: (d: VirtualDevice) => void): void {
    const tick = (due: number) => {
      if (!running || !d.rt.online) return;
      task(d);
      let next = due + periodMs();
      const now = scheduler.now();
      if (next < now) {
        // More than a whole period late: skip the missed runs instead of bursting.
        overruns++;
        next = now + periodMs() * 0.5;
      }
      scheduler.at(next, tick);
    };
    scheduler.at(first, tick);
  }

  function poll(d: VirtualDevice): void {
    if (d.rt.polling) {
      overruns++;
      return;
    }
    d.rt.polling = true;
    updatesInFlight++;
    agent
      .poll(d)
      .catch(() => void updateStats.pollErrors++)
      .finally(() => {
        d.rt.polling = false;
        updatesInFlight--;
      });
  }

  return {
    office,
    devices,
    async start() {
      if (running) return;
      if (o.telemetry.transport === 'mqtt') {
        sink = await mqttSink({ url: o.mqttUrl, clientId: `warden-sim-telemetry-${o.seed}-${process.pid}`, topic: telemetryTopic(o.mqttTelemetryTopic) });
      }
      else if (o.telemetry.auth === 'gateway' && o.roster.gatewayToken) sink = httpGatewaySink({ http, scheduler, gatewayToken: o.roster.gatewayToken });
      else sink = httpDeviceSink({ http });
      if (o.containment) {
        feed = await subscribeContainment({ url: o.mqttUrl, clientId: `warden-sim-containment-${o.seed}-${process.pid}`, devices: byController });
      }
      running = true;
      scheduler.start();
      const now = scheduler.now();
      const phase = stream(o.seed, 'phase');
      for (const d of devices) {
        // Devices come up spread over one interval, as an office does after a power cut.
        every(d, () => intervalMs, now + phase() * intervalMs, report);
        if (d.otaCapable) every(d, () => d.rt.pollMs, now + phase() * d.rt.pollMs, poll);
      }
      o.log.info({ devices: devices.length, transport: o.telemetry.transport, gateway: o.gatewayUrl, containment: o.containment }, 'virtual office running');
    },
    async stop() {
      if (!running) return;
      running = false;
      outbreak.stop();
      scheduler.stop();
      await sink?.close().catch(() => {});
      await feed?.close().catch(() => {});
      await http.close().catch(() => {});
    },
    launchOutbreak() {
      const entry = outbreak.launch();
      o.log.warn({ entry: entry.serial, ip: entry.ip, segment: entry.segment }, 'outbreak: the worm is in');
      return entry.serial;
    },
    reached: () => outbreak.reached(),
    status(): SimulatorStatus {
      const firmware: Record<string, number> = {};
      let online = 0;
      let quarantined = 0;
      let isolated = 0;
      for (const d of devices) {
        if (d.rt.online) online++;
        if (d.rt.quarantined) quarantined++;
        if (d.rt.isolated) isolated++;
        const k = `${d.model}@${d.rt.firmware}`;
        firmware[k] = (firmware[k] ?? 0) + 1;
      }
      const lat = http.latency.summary();
      return {
        devices: { total: devices.length, online, silent: devices.length - online, quarantined, isolated, firmware },
        telemetry: { ...(sink?.stats() ?? { delivered: 0, refused: 0, retried: 0, dropped: 0, buffered: 0, requests: 0 }), reports, intervalSeconds: o.telemetry.intervalSeconds, transport: o.telemetry.transport },
        updates: { ...updateStats, inFlight: updatesInFlight },
        outbreak: outbreak.status(),
        containment: { enabled: o.containment, updates: feed?.updates() ?? 0, invalid: feed?.invalid() ?? 0 },
        schedule: { ...scheduler.stats(), overruns },
        http: { requests: http.requests, errors: http.errors, inFlight: http.inFlight, latencyP50: lat.p50, latencyP99: lat.p99 },
      };
    },
  };
}

/** The topic a device publishes telemetry to, from the gateway's subscription filter (`+` is the device id). */
export function telemetryTopic(filter = 'warden/devices/+/telemetry'): (deviceId: string) => string {
  const plain = filter.replace(/^\$share\/[^/]+\//, '');
  const [before, after] = plain.split('+') as [string, string | undefined];
  return (id) => `${before}${id}${after ?? ''}`;
}

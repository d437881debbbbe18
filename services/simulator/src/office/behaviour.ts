import type { DeviceKind } from '@warden/contracts';
import { between, jitter } from '../rng.js';
import type { Office, OfficeDevice } from './office.js';

/**
 * What a healthy device reports: plausible metrics for its kind and the flows of its normal
 * conversations (lights and sensors to their hub, printers to the print server, cameras to the
 * recorder, TVs and speakers to streaming services). Pure: the same randomness gives the same
 * report.
 */
export interface Flow {
  peer: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'icmp' | 'other';
  outbound: boolean;
  bytes: number;
  packets: number;
}

export interface SecurityEvent {
  type: 'AUTH_FAILURE' | 'AUTH_SUCCESS' | 'REBOOT' | 'FIRMWARE_CHANGE' | 'OTHER';
  detail?: string;
  count: number;
}

export interface Report {
  metrics: Record<string, number>;
  flows: Flow[];
  events: SecurityEvent[];
}

/** Streaming and vendor-cloud addresses (public ranges, never contacted: they only appear in reports). */
export const INTERNET = { cdn: '151.101.1.69', music: '35.186.224.25', vendorCloud: '52.28.10.40' } as const;
const SSDP = '239.255.255.250';

const WIRELESS: ReadonlySet<DeviceKind> = new Set(['LIGHT', 'SENSOR', 'SPEAKER', 'THERMOSTAT']);

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Hour of the day in the office (UTC based; the demo only needs a day/night rhythm). */
function officeHours(tMs: number): boolean {
  const h = new Date(tMs).getUTCHours();
  return h >= 7 && h < 19;
}

function flow(peer: string, port: number, bytes: number, opts: Partial<Flow> = {}): Flow {
  const b = Math.max(0, Math.round(bytes));
  return { peer, port, protocol: 'tcp', outbound: true, bytes: b, packets: Math.max(1, Math.ceil(b / 1200)), ...opts };
}

/**
 * The report of one healthy device for an interval of `intervalS` seconds ending at `tMs`.
 * `uptimeS` is the seconds since it last booted.
 */
export function normalReport(office: Office, d: OfficeDevice, rand: () => number, tMs: number, intervalS: number, uptimeS: number): Report {
  const busy = officeHours(tMs);
  const m: Record<string, number> = { uptime: Math.floor(uptimeS) };
  const flows: Flow[] = [];
  const events: SecurityEvent[] = [];
  const hub = office.hubOf[d.index]!;
  const s = office.servers;
  if (hub >= 0) flows.push(flow(office.devices[hub]!.ip, 8883, jitter(rand, 600, 0.3) * intervalS / 30));
  if (WIRELESS.has(d.kind)) m.rssi = Math.round(jitter(rand, -58, 0.15));
  const perS = (bytesPerS: number, spread = 0.2) => Math.round(jitter(rand, bytesPerS, spread) * intervalS);

  switch (d.kind) {
    case 'LIGHT':
      m.power = round1(busy ? jitter(rand, 7.5, 0.2) : jitter(rand, 0.4, 0.5));
      m.temperature = round1(jitter(rand, busy ? 38 : 27, 0.08));
      break;
    case 'SENSOR':
      m.temperature = round1(jitter(rand, busy ? 22 : 19, 0.05));
      m.humidity = round1(jitter(rand, 42, 0.1));
      m.battery = round1(Math.max(5, 100 - ((d.index * 7) % 60) - uptimeS / 86_400));
      break;
    case 'THERMOSTAT':
      m.temperature = round1(jitter(rand, busy ? 21.5 : 18.5, 0.03));
      m.setpoint = busy ? 21.5 : 18;
      m.humidity = round1(jitter(rand, 40, 0.1));
      m.power = round1(jitter(rand, 2.1, 0.2));
      break;
    case 'SPEAKER':
      m.cpu = round1(jitter(rand, busy ? 18 : 4, 0.4));
      m.memory = round1(jitter(rand, 46, 0.1));
      m.power = round1(jitter(rand, busy ? 6 : 2, 0.3));
      flows.push(flow(s.dns, 53, 180, { protocol: 'udp' }));
      if (busy && rand() < 0.3) flows.push(flow(INTERNET.music, 443, perS(16_000)));
      if (rand() < 0.2) flows.push(flow(SSDP, 1900, 320, { protocol: 'udp' }));
      break;
    case 'TV':
      m.cpu = round1(jitter(rand, busy ? 24 : 3, 0.4));
      m.memory = round1(jitter(rand, 58, 0.1));
      m.power = round1(busy ? jitter(rand, 85, 0.1) : jitter(rand, 0.5, 0.2));
      flows.push(flow(s.dns, 53, 240, { protocol: 'udp' }));
      if (busy && rand() < 0.4) flows.push(flow(INTERNET.cdn, 443, perS(40_000)));
      if (rand() < 0.2) flows.push(flow(SSDP, 1900, 320, { protocol: 'udp' }));
      break;
    case 'PRINTER': {
      const jobs = busy ? between(rand, 0, 3) : 0;
      m.cpu = round1(jitter(rand, 3 + jobs * 9, 0.3));
      m.memory = round1(jitter(rand, 31, 0.1));
      m.pages = jobs * between(rand, 1, 12);
      m.toner = round1(Math.max(3, 100 - ((d.index * 13) % 80)));
      flows.push(flow(s.printServer, 631, 900 + jobs * 1500));
      if (jobs) flows.push(flow(s.printServer, 9100, jobs * 180_000, { outbound: false }));
      flows.push(flow(s.dns, 53, 120, { protocol: 'udp' }));
      break;
    }
    case 'CAMERA':
      m.cpu = round1(jitter(rand, 35, 0.15));
      m.temperature = round1(jitter(rand, 44, 0.06));
      m.bytes_out = perS(120_000, 0.1);
      flows.push(flow(s.nvr, 554, m.bytes_out));
      flows.push(flow(s.ntp, 123, 90, { protocol: 'udp' }));
      break;
    case 'BADGE_READER': {
      const swipes = busy ? between(rand, 0, 4) : rand() < 0.1 ? 1 : 0;
      m.cpu = round1(jitter(rand, 6, 0.3));
      flows.push(flow(s.accessController, 4070, 300 + swipes * 200));
      if (swipes) events.push({ type: 'AUTH_SUCCESS', detail: 'badge accepted', count: swipes });
      // Now and then someone tries a badge that is not theirs (far below any alert threshold).
      if (rand() < 0.03) events.push({ type: 'AUTH_FAILURE', detail: 'badge refused', count: 1 });
      break;
    }
    case 'HUB': {
      const attached = office.attached[d.index]!;
      m.cpu = round1(jitter(rand, 12 + attached * 0.1, 0.2));
      m.memory = round1(jitter(rand, 52, 0.08));
      m.connections = attached;
      flows.push(flow(INTERNET.vendorCloud, 8883, perS(900)));
      flows.push(flow(s.dns, 53, 200, { protocol: 'udp' }));
      flows.push(flow(s.ntp, 123, 90, { protocol: 'udp' }));
      break;
    }
    default:
      m.cpu = round1(jitter(rand, 10, 0.3));
  }
  const out = flows.filter((f) => f.outbound).reduce((n, f) => n + f.bytes, 0);
  const inb = flows.filter((f) => !f.outbound).reduce((n, f) => n + f.bytes, 0);
  m.bytes_out ??= out;
  m.bytes_in = inb + Math.round(out * 0.2);
  return { metrics: m, flows, events };
}

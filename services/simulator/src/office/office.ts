import type { DeviceKind, DeviceRoster } from '@warden/contracts';

/**
 * The virtual office as the simulator sees it: the provisioned devices (from the roster), who
 * normally talks to whom, and the servers the devices use that are not themselves managed
 * devices (DNS, the print server, the camera recorder, the badge-access controller).
 */
export interface OfficeDevice {
  index: number;
  id: string;
  controllerId: string;
  serial: string;
  kind: DeviceKind;
  model: string;
  otaCapable: boolean;
  segment: string;
  ip: string;
  firmwareVersion: string;
  token: string;
}

export interface OfficeServers {
  dns: string;
  ntp: string;
  printServer: string;
  nvr: string;
  accessController: string;
}

export interface Office {
  site: string;
  tenant: string;
  devices: OfficeDevice[];
  segments: { name: string; cidr: string; zone: string }[];
  /** Device indexes per segment. */
  bySegment: Map<string, number[]>;
  /** The hub each device reports to (a hub of its own segment), or -1. */
  hubOf: Int32Array;
  /** Devices attached to each hub (0 for other devices). */
  attached: Int32Array;
  servers: OfficeServers;
  /** Device index by IP address. */
  byIp: Map<string, number>;
}

/** The IPv4 host `n` of a CIDR (`hostIn('10.10.0.0/22', 5)` is 10.10.0.5). */
export function hostIn(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const v = base!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + n;
  return [24, 16, 8, 0].map((s) => (v >>> s) & 255).join('.');
}

/** Addresses 2–9 of a segment are servers; the demo office numbers devices from .10 on. */
function servers(segments: Office['segments']): OfficeServers {
  const by = (pred: (s: Office['segments'][number]) => boolean) => segments.find(pred) ?? segments[0];
  const corp = by((s) => s.zone === 'CORPORATE');
  const security = by((s) => s.zone === 'CRITICAL');
  const host = (s: Office['segments'][number] | undefined, n: number) => (s && s.cidr.includes('.') ? hostIn(s.cidr, n) : `10.0.0.${n}`);
  return { dns: host(corp, 2), ntp: host(corp, 3), printServer: host(corp, 5), nvr: host(security, 5), accessController: host(security, 6) };
}

/**
 * Builds the office from a roster. With a `limit` below the roster's size it takes that many
 * devices spread evenly over the roster, so a smaller office keeps the same mix of kinds.
 */
export function officeFromRoster(roster: DeviceRoster, limit?: number): Office {
  const total = roster.devices.length;
  const picked = limit !== undefined && limit < total ? Array.from({ length: limit }, (_, k) => roster.devices[Math.floor((k * total) / limit)]!) : roster.devices;
  const devices: OfficeDevice[] = picked.map((d, index) => ({ index, ...d }));
  const bySegment = new Map<string, number[]>();
  const byIp = new Map<string, number>();
  for (const d of devices) {
    const list = bySegment.get(d.segment) ?? [];
    list.push(d.index);
    bySegment.set(d.segment, list);
    byIp.set(d.ip, d.index);
  }
  const hubOf = new Int32Array(devices.length).fill(-1);
  for (const members of bySegment.values()) {
    const hubs = members.filter((i) => devices[i]!.kind === 'HUB');
    if (!hubs.length) continue;
    // Devices attach to a hub of their segment, spread evenly by position.
    members.forEach((i, n) => {
      if (devices[i]!.kind !== 'HUB') hubOf[i] = hubs[n % hubs.length]!;
    });
  }
  const attached = new Int32Array(devices.length);
  for (const h of hubOf) if (h >= 0) attached[h]!++;
  return { site: roster.site, tenant: roster.tenant, devices, segments: roster.segments, bySegment, hubOf, attached, servers: servers(roster.segments), byIp };
}

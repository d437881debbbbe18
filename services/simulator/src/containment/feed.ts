import mqtt, { type MqttClient } from 'mqtt';
import { deviceContainmentStateSchema, deviceContainmentTopic } from '@warden/contracts/incidents';
import type { VirtualDevice } from '../device.js';

/**
 * How the office learns what responders contained: each device's retained MQTT topic
 * `warden/devices/<controllerId>/containment` carries its whole containment state
 * (device-containment.v1). The simulator plays the office network too: a quarantined device's
 * traffic other than its management channel is dropped, and an isolated segment's traffic to the
 * others.
 */
export interface ContainmentUpdate {
  controllerId: string;
  /** The registry id the state is for ('' when cleared): a state left by another registry with the same controller id is ignored. */
  deviceId: string;
  quarantined: boolean;
  segmentIsolated: boolean;
  credentialsRevoked: boolean;
  at: string;
}

export const CONTAINMENT_TOPIC_FILTER = deviceContainmentTopic('+');

/** Reads a device-containment.v1 payload; an empty payload (retained state cleared) means nothing is contained. */
export function parseContainment(topic: string, payload: Buffer): ContainmentUpdate | null {
  const controllerId = /^warden\/devices\/([^/]+)\/containment$/.exec(topic)?.[1];
  if (!controllerId) return null;
  if (!payload.length) return { controllerId, deviceId: '', quarantined: false, segmentIsolated: false, credentialsRevoked: false, at: '' };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  const r = deviceContainmentStateSchema.safeParse(json);
  if (!r.success || r.data.controllerId !== controllerId) return null;
  const v = r.data;
  return { controllerId, deviceId: v.deviceId, quarantined: v.quarantined, segmentIsolated: v.segmentIsolated, credentialsRevoked: v.credentialsRevoked, at: v.at };
}

/** Applies an update to its device unless it is older than the state the device has; returns whether it changed anything. */
export function applyContainment(d: VirtualDevice, u: ContainmentUpdate): boolean {
  if (u.deviceId && u.deviceId !== d.id) return false;
  if (u.at && d.rt.containmentAt && u.at < d.rt.containmentAt) return false;
  const changed = d.rt.quarantined !== u.quarantined || d.rt.isolated !== u.segmentIsolated || d.rt.credentialsRevoked !== u.credentialsRevoked;
  d.rt.quarantined = u.quarantined;
  d.rt.isolated = u.segmentIsolated;
  d.rt.credentialsRevoked = u.credentialsRevoked;
  d.rt.containmentAt = u.at;
  return changed;
}

export interface ContainmentFeed {
  /** Containment updates applied. */
  updates(): number;
  /** Payloads on a containment topic that were not a valid device-containment.v1 state (ignored). */
  invalid(): number;
  close(): Promise<void>;
}

/** Subscribes to every device's containment topic (one connection for the office). */
export async function subscribeContainment(opts: {
  url: string;
  clientId: string;
  devices: ReadonlyMap<string, VirtualDevice>;
  onChange?: (d: VirtualDevice) => void;
}): Promise<ContainmentFeed> {
  const client: MqttClient = await mqtt.connectAsync(opts.url, { clientId: opts.clientId, clean: true, reconnectPeriod: 1000 });
  let applied = 0;
  let invalid = 0;
  client.on('message', (topic, payload) => {
    const u = parseContainment(topic, payload);
    if (!u) invalid++;
    const d = u && opts.devices.get(u.controllerId);
    if (!u || !d) return;
    if (applyContainment(d, u)) {
      applied++;
      opts.onChange?.(d);
    }
  });
  await client.subscribeAsync(CONTAINMENT_TOPIC_FILTER, { qos: 1 });
  return {
    updates: () => applied,
    invalid: () => invalid,
    close: async () => {
      await client.endAsync();
    },
  };
}

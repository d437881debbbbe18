import mqtt, { type MqttClient } from 'mqtt';
import { SCHEMA_HEADER, TOPICS } from '@warden/contracts';
import { CONTAINMENT_SCHEMA, DEVICE_CONTAINMENT_SCHEMA, deviceContainmentTopic, type DeviceContainmentState } from '@warden/contracts/incidents';
import type { ContainmentOutlets } from '@warden/core/containment';
import type { Logger, Producer } from '@warden/runtime';

/** Rejects when `p` takes longer than `ms` (a broker that is down must fail the attempt, not hang it). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not acknowledge within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `warden.containment.v1` over a Kafka producer: keyed by target, acknowledged by every in-sync replica. */
export function kafkaContainmentEvents(producer: Producer, timeoutMs = 15_000): ContainmentOutlets['events'] {
  return {
    async publish(records) {
      if (!records.length) return;
      await within(
        producer.send({
          topic: TOPICS.containment,
          acks: -1,
          messages: records.map((r) => ({ key: r.key, value: JSON.stringify(r.event), headers: { [SCHEMA_HEADER]: CONTAINMENT_SCHEMA } })),
        }),
        timeoutMs,
        'Kafka',
      );
    },
  };
}

export interface MqttDeviceStates {
  outlet: NonNullable<ContainmentOutlets['devices']>;
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * Each device's containment state, retained at QoS 1 on `warden/devices/<controllerId>/containment`,
 * so a device agent learns it as soon as it (re)subscribes. A device with nothing in force gets an
 * all-clear state rather than an empty retained message, so the agent can tell "released" from "never told".
 */
export function mqttDeviceStates(url: string, log: Logger, timeoutMs = 15_000): MqttDeviceStates {
  const client: MqttClient = mqtt.connect(url, { clientId: `warden-worker-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 1000, connectTimeout: 5000 });
  client.on('error', (err) => log.warn({ err }, 'containment MQTT: error'));
  const publishOne = (s: DeviceContainmentState) =>
    new Promise<void>((resolve, reject) => {
      client.publish(
        deviceContainmentTopic(s.controllerId),
        JSON.stringify(s),
        { qos: 1, retain: true, properties: { contentType: 'application/json', userProperties: { [SCHEMA_HEADER]: DEVICE_CONTAINMENT_SCHEMA } } },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  return {
    outlet: {
      async publish(states) {
        if (!states.length) return;
        if (!client.connected) throw new Error(`MQTT broker ${url} is not connected`);
        for (let i = 0; i < states.length; i += 500) await within(Promise.all(states.slice(i, i + 500).map(publishOne)), timeoutMs, 'MQTT');
      },
    },
    connected: () => client.connected,
    close: () => client.endAsync().then(() => undefined),
  };
}

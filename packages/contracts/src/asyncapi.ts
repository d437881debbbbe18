import { z } from 'zod';
import { containmentEventSchema, CONTAINMENT_SCHEMA, deviceContainmentStateSchema, DEVICE_CONTAINMENT_SCHEMA } from './containment.v1.js';
import { deviceEventSchema } from './telemetry/device-events.v1.js';
import { telemetryDlqRecordSchema } from './telemetry/dlq.v1.js';
import { telemetryMessageSchema } from './telemetry/telemetry.v1.js';
import { SCHEMA_HEADER, TOPICS } from './topics.js';

/**
 * The AsyncAPI 3 document for Warden's Kafka topics and the device telemetry channels, built from
 * the same zod schemas the services validate with, so it cannot drift from the code.
 * `packages/contracts/asyncapi.json` is this document; a test fails when it is stale
 * (regenerate: `npx tsx packages/contracts/src/asyncapi.ts > packages/contracts/asyncapi.json`).
 */
export function asyncApiDocument(): Record<string, unknown> {
  const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
  const telemetryRecord = {
    allOf: [
      json(telemetryMessageSchema),
      {
        type: 'object',
        required: ['receivedAt', 'via'],
        properties: {
          receivedAt: { type: 'string', format: 'date-time', description: 'When the gateway received the message.' },
          via: { type: 'string', enum: ['http', 'mqtt'] },
          quarantined: { type: 'boolean', const: true, description: 'Present when the device was quarantined as the gateway received the message (containment): stored, flagged.' },
        },
      },
    ],
  };
  const keyedByDevice = { bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The device id: one device, one partition, in order.' } } } };
  const schemaHeader = (value: string) => ({ type: 'object', properties: { [SCHEMA_HEADER]: { type: 'string', const: value } } });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Warden events',
      version: '1.0.0',
      description:
        'Kafka topics between Warden services, and the telemetry devices send. A topic name carries its schema major version; v1 only gains optional fields.',
    },
    channels: {
      telemetry: {
        address: TOPICS.telemetry,
        description: 'Validated device telemetry, stamped by the gateway. Consumers must be idempotent on (deviceId, ts, seq).',
        messages: { telemetryRecord: { $ref: '#/components/messages/TelemetryRecord' } },
      },
      telemetryDlq: {
        address: TOPICS.telemetryDlq,
        description: 'Refused telemetry with the reason. Never contains a token.',
        messages: { telemetryDlqRecord: { $ref: '#/components/messages/TelemetryDlqRecord' } },
      },
      deviceEvents: {
        address: TOPICS.deviceEvents,
        description: 'Devices going ONLINE (heard from) and OFFLINE (silent past their expected interval). At least once.',
        messages: { deviceEvent: { $ref: '#/components/messages/DeviceEvent' } },
      },
      containment: {
        address: TOPICS.containment,
        description:
          'Containment actions for network enforcement connectors (NAC, firewall, switch): one event per change of a containment (APPLIED, then RELEASED), keyed by its target so the events of a device, segment or destination arrive in order. At least once: apply idempotently by (containmentId, version) and ignore versions older than the last applied. A target stays contained while any of its containments is APPLIED. Always keep managementAllow reachable for the targets: a quarantined device must still reach DDI and be patched. SEGMENT targets list exempt (fail-safe) devices the isolation must leave connected.',
        messages: { containmentEvent: { $ref: '#/components/messages/ContainmentEvent' } },
      },
      deviceContainmentMqtt: {
        address: 'warden/devices/{controllerId}/containment',
        description:
          'MQTT, retained, QoS 1: the device\'s whole containment state (device-containment.v1), published by the worker whenever a containment touching it changes. A device agent subscribes to its own topic; it learns the state on (re)connect. An agent that enforces locally allows only managementAllow while quarantined or segmentIsolated.',
        parameters: { controllerId: { description: 'The device\'s DDI controller id.' } },
        messages: { deviceContainmentState: { $ref: '#/components/messages/DeviceContainmentState' } },
      },
      deviceTelemetryMqtt: {
        address: 'warden/devices/{deviceId}/telemetry',
        description: 'MQTT: a device (or a gateway for it) publishes at QoS 1. Payload: {"token": "<device token>" | "gatewayToken": "<gateway token>", "messages": [telemetry.v1, ...]}.',
        parameters: { deviceId: { description: 'The device id (uuid).' } },
        messages: { telemetryBatch: { $ref: '#/components/messages/DeviceTelemetryBatch' } },
      },
    },
    operations: {
      publishTelemetry: { action: 'send', channel: { $ref: '#/channels/telemetry' }, description: 'The gateway, after validating and authenticating.' },
      storeTelemetry: { action: 'receive', channel: { $ref: '#/channels/telemetry' }, description: 'The stream processor (consumer group).' },
      publishDlq: { action: 'send', channel: { $ref: '#/channels/telemetryDlq' } },
      publishDeviceEvents: { action: 'send', channel: { $ref: '#/channels/deviceEvents' }, description: 'The stream processor.' },
      deviceSendsTelemetry: { action: 'receive', channel: { $ref: '#/channels/deviceTelemetryMqtt' }, description: 'The gateway MQTT bridge.' },
      publishContainment: { action: 'send', channel: { $ref: '#/channels/containment' }, description: 'The worker, from the containments outbox in Postgres.' },
      enforceContainment: { action: 'receive', channel: { $ref: '#/channels/containment' }, description: 'Network enforcement connectors (NAC, firewall, switch).' },
      publishDeviceContainment: { action: 'send', channel: { $ref: '#/channels/deviceContainmentMqtt' }, description: 'The worker, retained.' },
      deviceLearnsContainment: { action: 'receive', channel: { $ref: '#/channels/deviceContainmentMqtt' }, description: 'The device agent.' },
    },
    components: {
      messages: {
        TelemetryRecord: { name: 'telemetry.v1', contentType: 'application/json', headers: schemaHeader('telemetry.v1'), payload: telemetryRecord, ...keyedByDevice },
        TelemetryDlqRecord: { name: 'telemetry.dlq.v1', contentType: 'application/json', headers: schemaHeader('telemetry.dlq.v1'), payload: json(telemetryDlqRecordSchema) },
        DeviceEvent: { name: 'device-events.v1', contentType: 'application/json', headers: schemaHeader('device-events.v1'), payload: json(deviceEventSchema), ...keyedByDevice },
        ContainmentEvent: {
          name: 'containment.v1',
          contentType: 'application/json',
          headers: schemaHeader(CONTAINMENT_SCHEMA),
          payload: json(containmentEventSchema),
          bindings: { kafka: { key: { type: 'string', description: 'The target: device:<id>, segment:<id> or destination:<cidr>.' } } },
        },
        DeviceContainmentState: { name: DEVICE_CONTAINMENT_SCHEMA, contentType: 'application/json', payload: json(deviceContainmentStateSchema) },
        DeviceTelemetryBatch: {
          name: 'telemetry batch (device → gateway)',
          contentType: 'application/json',
          payload: {
            type: 'object',
            required: ['messages'],
            properties: {
              token: { type: 'string', description: 'Device token (MQTT only; over HTTP use Authorization: TargetToken <token>).' },
              gatewayToken: { type: 'string', description: 'Gateway token (MQTT only; over HTTP use Authorization: GatewayToken <token>).' },
              messages: { type: 'array', minItems: 1, maxItems: 1000, items: json(telemetryMessageSchema, 'input') },
            },
          },
        },
      },
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(asyncApiDocument(), null, 2)}\n`);
}

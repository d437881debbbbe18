/**
 * The Kafka topics Warden uses. A topic name carries its schema's major version: a breaking change
 * gets a new topic, so old and new producers and consumers can run side by side during a deploy.
 */
export const TOPICS = {
  /** Device telemetry, keyed by device id (one device, one partition, in order). Value: {@link TelemetryRecord}. */
  telemetry: 'warden.telemetry.v1',
  /** Telemetry that was refused, with the reason. Keyed by device id when known. Value: {@link TelemetryDlqRecord}. */
  telemetryDlq: 'warden.telemetry.dlq.v1',
  /** Device lifecycle events (ONLINE/OFFLINE), keyed by device id. Value: {@link DeviceEvent}. */
  deviceEvents: 'warden.device-events.v1',
  /** Detection alerts. */
  alerts: 'warden.alerts.v1',
  /** Containment actions for network enforcement connectors. */
  containment: 'warden.containment.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Partition counts used when Warden creates its topics (the telemetry count is configurable). */
export const DEFAULT_PARTITIONS: Record<TopicName, number> = {
  'warden.telemetry.v1': 12,
  'warden.telemetry.dlq.v1': 3,
  'warden.device-events.v1': 6,
  'warden.alerts.v1': 6,
  'warden.containment.v1': 3,
};

/** Header naming the schema of a record's value. */
export const SCHEMA_HEADER = 'warden-schema';

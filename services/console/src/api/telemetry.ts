export interface TelemetryState {
  online: boolean;
  lastSeenAt: string;
  onlineChangedAt: string;
  lastReportAt: string;
  metrics: Record<string, unknown>;
  firmwareVersion: string | null;
  ip: string | null;
  expectedIntervalSeconds: number | null;
}

export const DEVICE_TELEMETRY = /* GraphQL */ `
  query ConsoleDeviceTelemetry($deviceId: ID!) {
    deviceTelemetry(deviceId: $deviceId) {
      online
      lastSeenAt
      onlineChangedAt
      lastReportAt
      metrics
      firmwareVersion
      ip
      expectedIntervalSeconds
    }
  }
`;
export type DeviceTelemetryResult = { deviceTelemetry: TelemetryState | null };

export interface SeriesPoint {
  at: string;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export const TELEMETRY_SERIES = /* GraphQL */ `
  query ConsoleTelemetrySeries($deviceId: ID!, $metric: String!, $from: DateTime!, $to: DateTime, $maxPoints: Int) {
    telemetrySeries(deviceId: $deviceId, metric: $metric, from: $from, to: $to, maxPoints: $maxPoints) {
      metric
      from
      to
      bucketSeconds
      points {
        at
        avg
        min
        max
        count
      }
    }
  }
`;
export interface TelemetrySeriesResult {
  telemetrySeries: { metric: string; from: string; to: string; bucketSeconds: number; points: SeriesPoint[] };
}

export interface Contact {
  peerIp: string;
  port: number;
  protocol: string;
  outbound: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  bytes: number;
  packets: number;
  count: number;
  peerDevice: { id: string; name: string; kind: string } | null;
}

export const DEVICE_CONTACTS = /* GraphQL */ `
  query ConsoleDeviceContacts($deviceId: ID!, $since: DateTime, $first: Int) {
    deviceContacts(deviceId: $deviceId, since: $since, first: $first) {
      peerIp
      port
      protocol
      outbound
      firstSeenAt
      lastSeenAt
      bytes
      packets
      count
      peerDevice {
        id
        name
        kind
      }
    }
  }
`;
export type DeviceContactsResult = { deviceContacts: Contact[] };

export const FLEET_LIVENESS = /* GraphQL */ `
  query ConsoleFleetLiveness($siteId: ID, $segmentId: ID) {
    fleetLiveness(siteId: $siteId, segmentId: $segmentId) {
      online
      offline
      neverSeen
    }
  }
`;
export type FleetLivenessResult = { fleetLiveness: { online: number; offline: number; neverSeen: number } };

import type { FleetFilters } from '../fleet/filters.js';

export const DEVICE_KINDS = ['SPEAKER', 'LIGHT', 'THERMOSTAT', 'PRINTER', 'CAMERA', 'BADGE_READER', 'TV', 'SENSOR', 'HUB', 'OTHER'] as const;
export const DEVICE_STATUSES = ['PROVISIONING', 'ACTIVE', 'QUARANTINED', 'RETIRED'] as const;
export const CRITICALITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

export type DeviceSortField = 'NAME' | 'SERIAL' | 'LAST_SEEN' | 'FIRMWARE' | 'CREATED';

/** The registry's `DeviceFilter` input, as the api takes it. */
export interface DeviceFilterInput {
  kinds?: string[];
  statuses?: string[];
  modelIds?: string[];
  segmentIds?: string[];
  siteIds?: string[];
  firmwareVersions?: string[];
  firmwareBelow?: string;
  tags?: string[];
  lastSeenBefore?: string;
  lastSeenAfter?: string;
  search?: string;
}

/** The address-bar filters as the api's filter input. */
export function toDeviceFilter(f: FleetFilters): DeviceFilterInput {
  const out: DeviceFilterInput = {};
  if (f.q?.trim()) out.search = f.q.trim();
  if (f.kind) out.kinds = [f.kind];
  if (f.status) out.statuses = [f.status];
  if (f.model) out.modelIds = [f.model];
  if (f.segment) out.segmentIds = [f.segment];
  if (f.site) out.siteIds = [f.site];
  if (f.firmware) out.firmwareVersions = [f.firmware];
  if (f.firmwareBelow) out.firmwareBelow = f.firmwareBelow;
  if (f.tag) out.tags = f.tag.split(',').map((t) => t.trim()).filter(Boolean);
  if (f.seenBefore) out.lastSeenBefore = new Date(f.seenBefore).toISOString();
  if (f.seenAfter) out.lastSeenAfter = new Date(f.seenAfter).toISOString();
  return out;
}

export interface DeviceRow {
  id: string;
  serial: string;
  name: string;
  kind: string;
  status: string;
  firmwareVersion: string | null;
  ip: string | null;
  lastSeenAt: string | null;
  criticality: string;
  model: { id: string; vendor: string; name: string };
  segment: { id: string; name: string; site: { id: string; code: string } } | null;
}

const DEVICE_ROW = /* GraphQL */ `
  fragment ConsoleDeviceRow on Device {
    id
    serial
    name
    kind
    status
    firmwareVersion
    ip
    lastSeenAt
    criticality
    model {
      id
      vendor
      name
    }
    segment {
      id
      name
      site {
        id
        code
      }
    }
  }
`;

export const DEVICES = /* GraphQL */ `
  query ConsoleDevices($filter: DeviceFilter, $first: Int!, $after: String, $orderBy: DeviceOrder) {
    devices(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ConsoleDeviceRow
        }
      }
    }
  }
  ${DEVICE_ROW}
`;
export interface DevicesResult {
  devices: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: DeviceRow }[];
  };
}

export const FLEET_SUMMARY = /* GraphQL */ `
  query ConsoleFleetSummary($filter: DeviceFilter) {
    fleetSummary(filter: $filter) {
      total
      byStatus {
        status
        count
      }
      byKind {
        kind
        count
      }
      bySegment {
        count
        segment {
          id
          name
          site {
            code
          }
        }
      }
      byFirmware {
        version
        count
        model {
          id
          vendor
          name
        }
      }
    }
  }
`;
export interface FleetSummaryResult {
  fleetSummary: {
    total: number;
    byStatus: { status: string; count: number }[];
    byKind: { kind: string; count: number }[];
    bySegment: { count: number; segment: { id: string; name: string; site: { code: string } } | null }[];
    byFirmware: { version: string | null; count: number; model: { id: string; vendor: string; name: string } }[];
  };
}

/** Sites, segments and models, for the filter pickers and the forms. */
export const PLACES = /* GraphQL */ `
  query ConsolePlaces {
    sites {
      id
      code
      name
    }
    segments {
      id
      name
      zone
      cidr
      site {
        id
        code
      }
    }
    deviceModels {
      id
      vendor
      name
      kind
      otaCapable
    }
  }
`;
export interface PlacesResult {
  sites: { id: string; code: string; name: string }[];
  segments: { id: string; name: string; zone: string; cidr: string; site: { id: string; code: string } }[];
  deviceModels: { id: string; vendor: string; name: string; kind: string; otaCapable: boolean }[];
}

export interface DeviceDetail extends DeviceRow {
  controllerId: string;
  mac: string | null;
  tags: string[];
  location: string | null;
  owner: string | null;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  retiredAt: string | null;
  model: DeviceRow['model'] & { kind: string; otaCapable: boolean };
  segment: (NonNullable<DeviceRow['segment']> & { zone: string; cidr: string }) | null;
  credentials: {
    id: string;
    prefix: string;
    createdAt: string;
    createdBy: string | null;
    expiresAt: string | null;
    revokedAt: string | null;
    lastUsedAt: string | null;
    active: boolean;
  }[];
}

export const DEVICE = /* GraphQL */ `
  query ConsoleDevice($id: ID!) {
    device(id: $id) {
      ...ConsoleDeviceRow
      controllerId
      mac
      tags
      location
      owner
      attributes
      createdAt
      updatedAt
      retiredAt
      model {
        kind
        otaCapable
      }
      segment {
        zone
        cidr
      }
      credentials {
        id
        prefix
        createdAt
        createdBy
        expiresAt
        revokedAt
        lastUsedAt
        active
      }
    }
  }
  ${DEVICE_ROW}
`;
export type DeviceResult = { device: DeviceDetail | null };

export const UPDATE_DEVICE = /* GraphQL */ `
  mutation ConsoleUpdateDevice($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) {
      id
    }
  }
`;

export const TAG_DEVICES = /* GraphQL */ `
  mutation ConsoleTagDevices($ids: [ID!]!, $add: [String!], $remove: [String!]) {
    tagDevices(ids: $ids, add: $add, remove: $remove) {
      id
    }
  }
`;

export const MOVE_DEVICES = /* GraphQL */ `
  mutation ConsoleMoveDevices($ids: [ID!]!, $segmentId: ID!) {
    moveDevices(ids: $ids, segmentId: $segmentId) {
      id
    }
  }
`;

export const RETIRE_DEVICE = /* GraphQL */ `
  mutation ConsoleRetireDevice($id: ID!, $reason: String) {
    retireDevice(id: $id, reason: $reason) {
      id
    }
  }
`;

export const ROTATE_CREDENTIALS = /* GraphQL */ `
  mutation ConsoleRotateCredentials($deviceIds: [ID!]!, $reason: String!) {
    rotateDeviceCredentials(deviceIds: $deviceIds, reason: $reason) {
      credentials {
        deviceId
        prefix
        token
      }
    }
  }
`;
export type RotateResult = { rotateDeviceCredentials: { credentials: { deviceId: string; prefix: string; token: string }[] } };

export const IMPORT_DEVICES = /* GraphQL */ `
  mutation ConsoleImportDevices($input: ImportDevicesInput!) {
    importDevices(input: $input) {
      total
      created
      updated
      unchanged
      failed
      errors {
        line
        serial
        field
        message
      }
    }
  }
`;
export interface ImportResult {
  importDevices: {
    total: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
    errors: { line: number; serial: string | null; field: string; message: string }[];
  };
}

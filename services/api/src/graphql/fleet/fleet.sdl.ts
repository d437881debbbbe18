export const fleetTypeDefs = /* GraphQL */ `
  enum DeviceKind {
    SPEAKER
    LIGHT
    THERMOSTAT
    PRINTER
    CAMERA
    BADGE_READER
    TV
    SENSOR
    HUB
    OTHER
  }

  enum DeviceStatus {
    PROVISIONING
    ACTIVE
    QUARANTINED
    RETIRED
  }

  "Statuses an operator may set directly (QUARANTINED comes from containment, RETIRED from retireDevice)."
  enum SettableDeviceStatus {
    PROVISIONING
    ACTIVE
  }

  enum Criticality {
    LOW
    MEDIUM
    HIGH
    CRITICAL
  }

  enum SegmentZone {
    CORPORATE
    IOT
    GUEST
    CRITICAL
    MANAGEMENT
  }

  "An office."
  type Site {
    id: ID!
    code: String!
    name: String!
    address: String
    timezone: String!
    segments: [Segment!]!
    deviceCount: Int!
    createdAt: DateTime!
  }

  "A network segment (VLAN/subnet) of a site."
  type Segment {
    id: ID!
    name: String!
    cidr: String!
    zone: SegmentZone!
    vlan: Int
    site: Site!
    deviceCount: Int!
    createdAt: DateTime!
  }

  "A vendor's product line; firmware is released per model."
  type DeviceModel {
    id: ID!
    vendor: String!
    name: String!
    kind: DeviceKind!
    "Whether devices of this model can be updated over the air."
    otaCapable: Boolean!
    deviceCount: Int!
  }

  type Device {
    id: ID!
    serial: String!
    "hawkBit DDI controller id."
    controllerId: String!
    name: String!
    kind: DeviceKind!
    model: DeviceModel!
    firmwareVersion: String
    segment: Segment
    site: Site
    ip: String
    mac: String
    tags: [String!]!
    location: String
    criticality: Criticality!
    owner: String
    status: DeviceStatus!
    "Cutting it off could hurt people or property (badge readers, cameras): containment leaves it connected unless a responder overrides."
    failSafe: Boolean!
    lastSeenAt: DateTime
    attributes: JSON!
    credentials: [DeviceCredential!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    retiredAt: DateTime
  }

  "A device token's metadata (the token itself is never stored)."
  type DeviceCredential {
    id: ID!
    prefix: String!
    createdAt: DateTime!
    createdBy: String
    expiresAt: DateTime
    revokedAt: DateTime
    lastUsedAt: DateTime
    active: Boolean!
  }

  "A freshly issued device token: shown once."
  type IssuedDeviceCredential {
    id: ID!
    deviceId: ID!
    controllerId: String!
    prefix: String!
    token: String!
    expiresAt: DateTime
  }

  type DeviceEdge {
    cursor: String!
    node: Device!
  }

  type DeviceConnection {
    edges: [DeviceEdge!]!
    nodes: [Device!]!
    pageInfo: PageInfo!
    "Devices matching the filter (an extra count query: ask only when shown)."
    totalCount: Int!
  }

  input DeviceFilter {
    ids: [ID!]
    kinds: [DeviceKind!]
    modelIds: [ID!]
    firmwareVersions: [String!]
    "Firmware at or above this version."
    firmwareAtLeast: String
    "Firmware strictly below this version."
    firmwareBelow: String
    segmentIds: [ID!]
    siteIds: [ID!]
    "Devices carrying every one of these tags."
    tags: [String!]
    "Devices carrying at least one of these tags."
    anyTags: [String!]
    statuses: [DeviceStatus!]
    criticalities: [Criticality!]
    lastSeenBefore: DateTime
    lastSeenAfter: DateTime
    neverSeen: Boolean
    otaCapable: Boolean
    "Free text over name, serial, controller id, location, owner, MAC and IP."
    search: String
  }

  enum DeviceSortField {
    NAME
    SERIAL
    LAST_SEEN
    FIRMWARE
    CREATED
  }

  input DeviceOrder {
    field: DeviceSortField!
    direction: SortDirection! = ASC
  }

  type KindCount {
    kind: DeviceKind!
    count: Int!
  }
  type StatusCount {
    status: DeviceStatus!
    count: Int!
  }
  type ModelCount {
    model: DeviceModel!
    count: Int!
  }
  type SegmentCount {
    "Null for devices not yet placed on a segment."
    segment: Segment
    count: Int!
  }
  type FirmwareCount {
    model: DeviceModel!
    version: String
    count: Int!
  }

  "Counts of the (filtered) fleet."
  type FleetSummary {
    total: Int!
    byKind: [KindCount!]!
    byStatus: [StatusCount!]!
    byModel: [ModelCount!]!
    bySegment: [SegmentCount!]!
    byFirmware: [FirmwareCount!]!
  }

  input RegisterDeviceInput {
    serial: String!
    "Defaults to the serial."
    controllerId: String
    "Defaults to the serial."
    name: String
    "Model id, or vendor/model."
    model: String!
    "Defaults to the model's kind."
    kind: DeviceKind
    firmwareVersion: String
    "Segment id, or site-code/segment-name."
    segment: String
    ip: String
    mac: String
    tags: [String!]
    location: String
    criticality: Criticality
    owner: String
    status: SettableDeviceStatus
    "Containment leaves it connected unless overridden (badge readers, cameras). Default false."
    failSafe: Boolean
    attributes: JSON
    "Issue a device token now (returned once in the payload)."
    issueCredential: Boolean = false
  }

  type RegisterDevicePayload {
    device: Device!
    credential: IssuedDeviceCredential
  }

  enum ImportFormat {
    CSV
    JSON
  }

  input ImportDevicesInput {
    format: ImportFormat!
    """
    The file's content. CSV: a header row with serial, model (vendor/model), and any of controller_id,
    name, kind, firmware, segment (site-code/segment-name), ip, mac, tags (separated by ;), location,
    criticality, owner, status, fail_safe (true/false), attributes (JSON) and attr.NAME columns. JSON: an array of objects
    with the fields of RegisterDeviceInput.
    """
    data: String!
  }

  type ImportRowError {
    "CSV line (the header is line 1) or JSON item number (from 1)."
    line: Int!
    serial: String
    field: String!
    message: String!
  }

  type ImportDevicesPayload {
    total: Int!
    created: Int!
    updated: Int!
    unchanged: Int!
    failed: Int!
    errors: [ImportRowError!]!
  }

  input UpdateDeviceInput {
    name: String
    firmwareVersion: String
    ip: String
    mac: String
    location: String
    criticality: Criticality
    owner: String
    status: SettableDeviceStatus
    "Containment leaves it connected unless overridden."
    failSafe: Boolean
    "Merged into the stored attributes."
    attributes: JSON
  }

  input CreateSiteInput {
    code: String!
    name: String!
    address: String
    timezone: String
  }
  input UpdateSiteInput {
    code: String
    name: String
    address: String
    timezone: String
  }
  input CreateSegmentInput {
    siteId: ID!
    name: String!
    cidr: String!
    zone: SegmentZone!
    vlan: Int
  }
  input UpdateSegmentInput {
    name: String
    cidr: String
    zone: SegmentZone
    vlan: Int
  }
  input CreateDeviceModelInput {
    vendor: String!
    name: String!
    kind: DeviceKind!
    otaCapable: Boolean = true
  }
  input UpdateDeviceModelInput {
    name: String
    otaCapable: Boolean
  }

  extend type Query {
    "One device by id, serial or DDI controller id."
    device(id: ID, serial: String, controllerId: String): Device
    "Devices matching a filter, a page at a time (first: at most the configured page cap)."
    devices(filter: DeviceFilter, first: Int! = 50, after: String, orderBy: DeviceOrder): DeviceConnection!
    fleetSummary(filter: DeviceFilter): FleetSummary!
    sites: [Site!]!
    site(id: ID!): Site
    segments(siteId: ID): [Segment!]!
    segment(id: ID!): Segment
    deviceModels: [DeviceModel!]!
  }

  extend type Mutation {
    registerDevice(input: RegisterDeviceInput!): RegisterDevicePayload!
    "Registers or updates up to 50,000 devices; bad rows are reported, good rows land. Idempotent."
    importDevices(input: ImportDevicesInput!): ImportDevicesPayload!
    updateDevice(id: ID!, input: UpdateDeviceInput!): Device!
    tagDevices(ids: [ID!]!, add: [String!], remove: [String!]): [Device!]!
    moveDevices(ids: [ID!]!, segmentId: ID!): [Device!]!
    retireDevice(id: ID!, reason: String): Device!
    issueDeviceCredential(deviceId: ID!, expiresAt: DateTime): IssuedDeviceCredential!
    createSite(input: CreateSiteInput!): Site!
    updateSite(id: ID!, input: UpdateSiteInput!): Site!
    deleteSite(id: ID!): Site!
    createSegment(input: CreateSegmentInput!): Segment!
    updateSegment(id: ID!, input: UpdateSegmentInput!): Segment!
    deleteSegment(id: ID!): Segment!
    createDeviceModel(input: CreateDeviceModelInput!): DeviceModel!
    updateDeviceModel(id: ID!, input: UpdateDeviceModelInput!): DeviceModel!
  }
`;

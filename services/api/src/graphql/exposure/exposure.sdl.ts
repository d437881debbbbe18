/** Blast radius, readiness and emergency patches in GraphQL. */
export const exposureTypeDefs = /* GraphQL */ `
  enum BlastReasonKind {
    "Reached over the contact graph (hops, via)."
    CONTACTED
    "On a compromised device's segment (or the incident's)."
    SAME_SEGMENT
    "Runs firmware with an open advisory the compromised devices carry."
    VULNERABLE_FIRMWARE
    "Same model and firmware as a compromised device (when those carry no known advisory)."
    SAME_FIRMWARE
    "Cannot be updated over the air."
    UNPATCHABLE
  }

  "Why a device is in the blast radius. Fields that do not apply to the kind are null."
  type BlastReason {
    kind: BlastReasonKind!
    "CONTACTED: hops from the nearest compromised device."
    hops: Int
    "CONTACTED: id of the neighbour one hop closer to the compromised devices (the busiest such link)."
    via: ID
    viaDevice: Device
    "CONTACTED: the neighbour opened connections to this device (how a worm spreads)."
    contactedBy: Boolean
    "CONTACTED: this device opened connections to the neighbour."
    contacted: Boolean
    "CONTACTED: flow reports and bytes between the two."
    count: Float
    bytes: Float
    "SAME_SEGMENT."
    segmentId: ID
    segment: Segment
    "VULNERABLE_FIRMWARE: CVE/OSV ids."
    advisories: [String!]
    "VULNERABLE_FIRMWARE: a fixed release exists for every one of them."
    fixAvailable: Boolean
    "SAME_FIRMWARE."
    modelId: ID
    version: String
  }

  "A device in the blast radius."
  type BlastRadiusDevice {
    device: Device!
    "1 (most exposed) to 4: 1 contacted a compromised device; 2 reached in more hops, or on its segment with the same weakness; 3 on its segment or with the same weakness; 4 otherwise unrelated but unpatchable."
    tier: Int!
    "Orders devices within a tier; higher is more exposed."
    score: Float!
    "Every reason, the one that set the tier first."
    reasons: [BlastReason!]!
    cursor: String!
  }

  type BlastRadiusDeviceConnection {
    nodes: [BlastRadiusDevice!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type BlastRadiusTierCount {
    tier: Int!
    devices: Int!
  }

  type BlastRadiusSegmentCount {
    "Null for devices without a segment."
    segment: Segment
    total: Int!
    tier1: Int!
    tier2: Int!
    tier3: Int!
    tier4: Int!
  }

  "The rest of the fleet ranked by exposure to a set of compromised devices."
  type BlastRadius {
    incident: Incident
    "The devices the radius is measured from."
    compromised: [Device!]!
    maxHops: Int!
    "Devices in the blast radius (all tiers)."
    total: Int!
    "Tiers 1 to 4, always four entries."
    tiers: [BlastRadiusTierCount!]!
    "Most affected segment first."
    bySegment: [BlastRadiusSegmentCount!]!
    "Open advisories of the compromised devices' firmware (what a worm would exploit next)."
    exploitedAdvisories: [String!]!
    "Most exposed first: tier, then score."
    devices: BlastRadiusDeviceConnection!
  }

  type SegmentDeviceCount {
    "Null for devices without a segment."
    segment: Segment
    devices: Int!
  }

  type SiteDeviceCount {
    "Null for devices without a segment."
    site: Site
    devices: Int!
  }

  type FirmwareDeviceCount {
    model: DeviceModel!
    version: String!
    devices: Int!
  }

  "How many devices run firmware an advisory affects, and where."
  type AdvisoryExposure {
    advisory: Advisory!
    externalId: String!
    severity: AdvisorySeverity!
    exposed: Int!
    "Of those, devices that cannot be updated over the air."
    unpatchable: Int!
    "Of those, devices a fixed release exists for and that can take it."
    patchableNow: Int!
    bySegment: [SegmentDeviceCount!]!
    bySite: [SiteDeviceCount!]!
    byFirmware: [FirmwareDeviceCount!]!
  }

  "How far a worm starting in a segment would get."
  type WormReach {
    "Vulnerable devices it would infect."
    devices: Int!
    "Segments it would get a foothold in, the start first, in the order reached."
    segments: [Segment!]!
  }

  type AdvisoryWormReach {
    externalId: String!
    devices: Int!
    segments: [Segment!]!
  }

  type SegmentReadiness {
    segment: Segment!
    devices: Int!
    "Devices here exposed to at least one open advisory."
    vulnerable: Int!
    "A worm carrying every known exploit, starting here."
    wormReach: WormReach!
    "The single advisory whose worm would reach most devices from here."
    worstAdvisory: AdvisoryWormReach
  }

  type UnpatchableDevices {
    total: Int!
    bySegment: [SegmentDeviceCount!]!
  }

  "How many devices would suffer at the same time: the worst segment for a worm to start in."
  type SimultaneousExposure {
    devices: Int!
    "Of those, devices that cannot be patched."
    unpatchable: Int!
    startSegment: Segment
    "Segments it would reach that hold vulnerable devices."
    segments: [Segment!]!
  }

  "Before any attack: exposure per advisory, unpatchable devices, worm reach per segment and the worst case. Segment links come from the contacts seen between segments."
  type Readiness {
    "Most exposed first."
    advisories: [AdvisoryExposure!]!
    unpatchable: UnpatchableDevices!
    "Ordered by worm reach, widest first."
    segments: [SegmentReadiness!]!
    simultaneous: SimultaneousExposure!
  }

  "Why a device an emergency patch named is left out."
  type EmergencyPatchSkip {
    device: Device!
    "NOT_OTA_CAPABLE, RETIRED, NOT_AFFECTED, UNKNOWN_VERSION, NO_FIXED_RELEASE, WRONG_MODEL or BUSY."
    reason: String!
  }

  type EmergencyPatchResult {
    incident: Incident!
    "One emergency rollout per release (per model)."
    rollouts: [Rollout!]!
    "Devices being patched, most exposed first."
    targets: [Device!]!
    targetCount: Int!
    skipped: [EmergencyPatchSkip!]!
    "CVE/OSV ids the patch closes."
    advisories: [String!]!
    "An earlier call with the same idempotency key answered; nothing new was started."
    replayed: Boolean!
  }

  enum EmergencyPatchApproval {
    "The responder's approval under the incident is recorded and the rollouts start now."
    INCIDENT
    "The rollouts wait for an administrator's approveRollout and a startRollout."
    ADMIN
  }

  input StartEmergencyPatchInput {
    incidentId: ID!
    "One release for every target (its model only). Default: per model, the lowest release that closes the incident's advisories."
    releaseId: ID
    "Explicit targets, still ordered by exposure. Default: the incident's devices, then blast-radius tiers 1..maxTier."
    deviceIds: [ID!]
    maxTier: Int = 3
    maxHops: Int = 2
    "Default: 10% (the most exposed), 50%, 100%; no waiting between waves."
    waves: [WaveInput!]
    deviceDeadlineSeconds: Int
    approval: EmergencyPatchApproval = INCIDENT
    "A repeated call with the same key returns the first call's result."
    idempotencyKey: String
  }

  extend type Incident {
    "The blast radius of this incident's devices and segment (VIEWER)."
    blastRadius(maxHops: Int = 2, includeUnpatchable: Boolean = true, first: Int = 50, after: String): BlastRadius!
  }

  extend type Query {
    "The rest of the fleet ranked by exposure to an incident (its devices and segment) or to any devices; exactly one of incidentId and deviceIds (VIEWER)."
    blastRadius(incidentId: ID, deviceIds: [ID!], maxHops: Int = 2, includeUnpatchable: Boolean = true, first: Int = 50, after: String): BlastRadius!
    "Exposure per advisory, unpatchable devices, worm reach per segment and the worst case, for the fleet or one site (VIEWER)."
    readiness(siteId: ID): Readiness!
  }

  extend type Mutation {
    "Starts an emergency rollout of the fixed firmware to an incident's exposed devices, most exposed first (RESPONDER). Written to the incident's timeline."
    startEmergencyPatch(input: StartEmergencyPatchInput!): EmergencyPatchResult!
  }
`;

/** Containment in GraphQL: actions responders take against an attack, and their record. */
export const containmentTypeDefs = /* GraphQL */ `
  enum ContainmentKind {
    QUARANTINE_DEVICES
    ISOLATE_SEGMENT
    BLOCK_DESTINATION
    ROTATE_CREDENTIALS
    REVOKE_CREDENTIALS
  }

  """
  PENDING: in force in Warden, not yet delivered to enforcement. APPLIED: delivered (warden.containment.v1
  and the device's MQTT state). RELEASED / EXPIRED: undone by a person or by its expiry. FAILED: delivery
  keeps failing (still in force in Warden; retried). SKIPPED: requested but left alone (see skipped).
  """
  enum ContainmentStatus {
    PENDING
    APPLIED
    RELEASED
    EXPIRED
    FAILED
    SKIPPED
  }

  enum ContainmentSkipReason {
    "A fail-safe device (badge reader, camera) and no overrideFailSafe."
    FAIL_SAFE
    "Already under a containment of the same kind (coveredBy)."
    ALREADY_CONTAINED
    RETIRED
    "Nothing to revoke."
    NO_CREDENTIALS
  }

  "A target a request left alone, and why."
  type ContainmentSkip {
    device: Device
    reason: ContainmentSkipReason!
    message: String!
    "The containment already in force on the target (ALREADY_CONTAINED)."
    coveredBy: Containment
  }

  "One undo step a release carried out, or left out and why."
  type ContainmentUndoStep {
    "RESTORE_STATUS, KEEP_STATUS, REINSTATE_CREDENTIALS, REVOKE_CREDENTIALS, KEEP_CREDENTIALS or LIFT_NETWORK_BLOCK."
    type: String!
    detail: JSON!
  }

  "A recorded containment action on one target (a device, a segment or a destination)."
  type Containment {
    id: ID!
    kind: ContainmentKind!
    status: ContainmentStatus!
    "Shared by the containments one request created."
    requestId: ID!
    "device:<id>, segment:<id> or destination:<cidr>: the Kafka key of its events."
    target: String!
    device: Device
    segment: Segment
    "Canonical CIDR of a blocked destination."
    destination: String
    "user:<id>, apikey:<id>, playbook-run:<id> or system:<name>."
    actor: String!
    actorName: String!
    reason: String!
    incident: Incident
    overrideFailSafe: Boolean!
    expiresAt: DateTime
    "What applying changed (previous status, credential ids, exempt devices); what a release restores."
    touched: JSON!
    "Targets left alone and why (fail-safe devices of an isolated segment, or the target itself when SKIPPED)."
    skipped: [ContainmentSkip!]!
    "What releasing it did."
    undo: [ContainmentUndoStep!]
    "Increases with every change; the event version connectors see."
    version: Int!
    "Whether enforcement has the latest change."
    delivered: Boolean!
    "Why delivery last failed."
    error: String
    createdAt: DateTime!
    appliedAt: DateTime
    releasedAt: DateTime
    releasedBy: String
    releaseReason: String
  }

  type ContainmentEdge {
    cursor: String!
    node: Containment!
  }

  type ContainmentConnection {
    edges: [ContainmentEdge!]!
    nodes: [Containment!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input ContainmentFilter {
    statuses: [ContainmentStatus!]
    kinds: [ContainmentKind!]
    incidentId: ID
    "The device's own containments (quarantine, credentials)."
    deviceId: ID
    segmentId: ID
    requestId: ID
  }

  "What a containment request did."
  type ContainmentPayload {
    requestId: ID!
    "In force now, one per target (PENDING until the worker has delivered them)."
    containments: [Containment!]!
    "Targets left alone and why: fail-safe devices are reported here, never silently cut off."
    skipped: [ContainmentSkip!]!
    "rotateDeviceCredentials: the new tokens, shown this once."
    credentials: [IssuedDeviceCredential!]!
    "The linked incident's status after the request (CONTAINED once all its devices are)."
    incidentStatus: IncidentStatus
    "True when requestKey matched an earlier request: nothing was done now."
    replayed: Boolean!
  }

  "A change to containments, as subscribers see it."
  type ContainmentChange {
    "REQUESTED, APPLIED, RELEASED, EXPIRED or FAILED."
    change: String!
    actor: String!
    containments: [Containment!]!
  }

  extend type Query {
    "Containments, newest first (VIEWER)."
    containments(filter: ContainmentFilter, first: Int = 50, after: String): ContainmentConnection!
    "One containment (VIEWER)."
    containment(id: ID!): Containment
  }

  extend type Mutation {
    """
    Cuts devices off from everything but their management channel (they can still poll DDI and be patched);
    their status becomes QUARANTINED until released (RESPONDER). Fail-safe devices are skipped unless overrideFailSafe.
    expiresIn: seconds until automatic release. requestKey: a repeated request with the same key does nothing again.
    """
    quarantineDevices(deviceIds: [ID!]!, reason: String!, expiresIn: Int, incidentId: ID, overrideFailSafe: Boolean = false, requestKey: String): ContainmentPayload!
    "Stops traffic between a segment and the others; its fail-safe devices stay connected unless overrideFailSafe (RESPONDER)."
    isolateSegment(segmentId: ID!, reason: String!, expiresIn: Int, incidentId: ID, overrideFailSafe: Boolean = false, requestKey: String): ContainmentPayload!
    "Drops traffic from the fleet to an IP address or CIDR (RESPONDER)."
    blockDestination(destination: String!, reason: String!, expiresIn: Int, incidentId: ID, overrideFailSafe: Boolean = false, requestKey: String): ContainmentPayload!
    "Revokes every token of the devices now and issues new ones, returned once in credentials (RESPONDER). Permanent until released: no expiresIn."
    rotateDeviceCredentials(deviceIds: [ID!]!, reason: String!, expiresIn: Int, incidentId: ID, overrideFailSafe: Boolean = false, requestKey: String): ContainmentPayload!
    "Revokes every token of the devices now; gateways refuse them on the next request (RESPONDER). Release reinstates them."
    revokeDeviceCredentials(deviceIds: [ID!]!, reason: String!, expiresIn: Int, incidentId: ID, overrideFailSafe: Boolean = false, requestKey: String): ContainmentPayload!
    "Undoes a containment: status restored, tokens reinstated, network blocks lifted (RESPONDER)."
    releaseContainment(id: ID!, reason: String!): Containment!
  }

  extend type Subscription {
    "Containments requested, delivered, released, expired or failing (VIEWER)."
    containmentChanged: ContainmentChange!
  }
`;

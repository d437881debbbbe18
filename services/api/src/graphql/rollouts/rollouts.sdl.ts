export const rolloutsTypeDefs = /* GraphQL */ `
  enum RolloutStatus {
    WAITING_APPROVAL
    READY
    RUNNING
    PAUSED
    SUCCEEDED
    ABORTED
    CANCELED
  }

  enum WaveStatus {
    PLANNED
    RUNNING
    SUCCEEDED
    FAILED
    CANCELED
  }

  enum UpdateActionStatus {
    PLANNED
    SCHEDULED
    RETRIEVED
    DOWNLOAD
    DOWNLOADED
    RUNNING
    WARNING
    CANCELING
    FINISHED
    ERROR
    CANCELED
    TIMED_OUT
    SKIPPED
  }

  enum RolloutErrorAction {
    PAUSE
    ABORT
  }

  enum ExclusionReason {
    NOT_OTA_CAPABLE
    WRONG_MODEL
    ALREADY_ON_RELEASE
    RETIRED
    BUSY
  }

  enum StatusSource {
    DEVICE
    SERVER
  }

  "A staged update of the devices matching a filter to one release."
  type Rollout {
    id: ID!
    name: String!
    release: Release!
    status: RolloutStatus!
    "Why it paused, aborted or was canceled."
    statusReason: String
    filter: JSON!
    successThresholdPct: Int!
    errorThresholdPct: Int!
    overallErrorThresholdPct: Int!
    errorAction: RolloutErrorAction!
    deviceDeadlineSeconds: Int!
    waveDelaySeconds: Int!
    maintenanceWindow: JSON
    forced: Boolean!
    emergency: Boolean!
    requiresApproval: Boolean!
    approvedBy: String
    approvedAt: DateTime
    rollbackOf: Rollout
    createdBy: String
    createdAt: DateTime!
    startedAt: DateTime
    finishedAt: DateTime
    "Live counts by action state, per wave."
    progress: RolloutProgress!
    "Devices the filter matched that the rollout skips (e.g. not updatable over the air)."
    exclusions: [RolloutExclusion!]!
  }

  type ActionStatusCount {
    status: UpdateActionStatus!
    count: Int!
  }

  type WaveProgress {
    id: ID!
    index: Int!
    name: String!
    size: Int!
    status: WaveStatus!
    startedAt: DateTime
    "When the wave met its success threshold."
    succeededAt: DateTime
    finishedAt: DateTime
    counts: [ActionStatusCount!]!
    succeeded: Int!
    failed: Int!
    open: Int!
  }

  type RolloutProgress {
    rolloutId: ID!
    status: RolloutStatus!
    statusReason: String
    total: Int!
    succeeded: Int!
    failed: Int!
    waves: [WaveProgress!]!
  }

  type RolloutExclusion {
    device: Device!
    reason: ExclusionReason!
  }

  "One status of an update action: device feedback or a server transition."
  type UpdateActionStatusEntry {
    at: DateTime!
    status: UpdateActionStatus!
    source: StatusSource!
    execution: String
    finished: String
    code: Int
    details: [String!]!
  }

  "One device's update within a rollout; id is the DDI action id."
  type UpdateAction {
    id: ID!
    rollout: Rollout!
    release: Release!
    status: UpdateActionStatus!
    attempt: Int!
    fromVersion: String
    dispatchedAt: DateTime
    deadlineAt: DateTime
    finishedAt: DateTime
    lastMessage: String
    history: [UpdateActionStatusEntry!]!
  }

  extend type Device {
    "Update actions, newest first."
    updateHistory(first: Int! = 20): [UpdateAction!]!
  }

  input TargetFilterInput {
    modelIds: [ID!]
    segmentIds: [ID!]
    siteIds: [ID!]
    "Devices carrying any of these tags."
    tags: [String!]
    "Semver range of the current firmware, e.g. \\">=1.0.0 <1.4.0\\"."
    versionRange: String
    deviceIds: [ID!]
  }

  "A wave: a cumulative percentage of the targets, or an explicit number of devices."
  input WaveInput {
    percent: Float
    size: Int
    name: String
  }

  input MaintenanceWindowInput {
    "HH:MM, daily."
    start: String!
    durationMinutes: Int!
    timezone: String!
  }

  input CreateRolloutInput {
    name: String!
    releaseId: ID!
    filter: TargetFilterInput
    "Default: 1%, 10%, 50%, 100%."
    waves: [WaveInput!]
    successThresholdPct: Int
    errorThresholdPct: Int
    overallErrorThresholdPct: Int
    errorAction: RolloutErrorAction
    deviceDeadlineSeconds: Int
    waveDelaySeconds: Int
    maintenanceWindow: MaintenanceWindowInput
    forced: Boolean
    "No waiting between waves; thresholds still apply."
    emergency: Boolean
    "Default true: an ADMIN must approve before it starts."
    requiresApproval: Boolean
  }

  type RetryResult {
    rollout: Rollout!
    retried: Int!
  }

  extend type Query {
    rollouts(status: RolloutStatus, first: Int! = 50, skip: Int! = 0): [Rollout!]!
    rollout(id: ID!): Rollout
    rolloutProgress(id: ID!): RolloutProgress!
  }

  extend type Mutation {
    "Plans a rollout; devices that cannot be updated are reported as exclusions (OPERATOR)."
    createRollout(input: CreateRolloutInput!): Rollout!
    "Records an approval (ADMIN)."
    approveRollout(id: ID!): Rollout!
    startRollout(id: ID!): Rollout!
    pauseRollout(id: ID!): Rollout!
    resumeRollout(id: ID!): Rollout!
    "Cancels; devices working on it get a DDI cancelAction (OPERATOR)."
    cancelRollout(id: ID!): Rollout!
    "A new attempt for every device whose update failed or timed out (OPERATOR)."
    retryFailedRollout(id: ID!): RetryResult!
    "A new rollout to the previous release for the devices this one reached (OPERATOR)."
    rollbackRollout(id: ID!, requiresApproval: Boolean): Rollout!
  }

  type Subscription {
    "Progress of a rollout, pushed when it changes, until the rollout is over."
    rolloutProgress(id: ID!): RolloutProgress!
  }
`;

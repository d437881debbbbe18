export const playbooksTypeDefs = /* GraphQL */ `
  enum PlaybookRunStatus {
    RUNNING
    WAITING
    AWAITING_APPROVAL
    SUCCEEDED
    FAILED
    CANCELED
  }

  enum PlaybookStepStatus {
    PENDING
    RUNNING
    WAITING
    AWAITING_APPROVAL
    SUCCEEDED
    SKIPPED
    FAILED
  }

  enum PlaybookRunTrigger {
    "A person or an API key started it."
    MANUAL
    "An incident matched the playbook's trigger."
    AUTO
  }

  enum ApprovalDecision {
    APPROVE
    REJECT
  }

  "A declarative response to incidents (YAML or JSON): steps with conditions, a trigger, selectors."
  type Playbook {
    id: ID!
    name: String!
    title: String
    description: String
    "YAML or JSON: how the source is written."
    format: String!
    "The text as written."
    source: String!
    "The validated definition with defaults filled in (durations in ms, selectors parsed)."
    definition: JSON!
    "When incidents start it by themselves: rules, minSeverity, auto."
    trigger: JSON
    enabled: Boolean!
    "Incidents matching the trigger start it by themselves."
    autoTrigger: Boolean!
    "Goes up with every change of the source; runs record the version they ran."
    version: Int!
    "Shipped with Warden."
    builtIn: Boolean!
    stepCount: Int!
    createdBy: String
    updatedBy: String
    createdAt: DateTime!
    updatedAt: DateTime!
    "Newest first."
    runs(first: Int = 20): [PlaybookRun!]!
  }

  "A problem in a playbook's source, by path (steps[2] (patch).targets) and line."
  type PlaybookIssue {
    path: String!
    message: String!
    line: Int
  }

  type PlaybookValidation {
    valid: Boolean!
    issues: [PlaybookIssue!]!
    "The definition with defaults filled in, when valid."
    definition: JSON
  }

  "A target a step leaves alone: FAIL_SAFE (needs overrideFailSafe) or NOT_OTA_CAPABLE."
  type StepExclusion {
    id: ID!
    reason: String!
  }

  type StepWebhook {
    "The URL of a step that names one; null when it notifies the subscribers of its event."
    url: String
    event: String!
    "The subscription whose secret signs a URL step's body."
    secret: String
    "Subscriptions that would receive it."
    subscribers: [String!]!
  }

  type StepApproval {
    role: Role!
    message: String!
    timeoutMs: Float!
  }

  type StepWait {
    durationMs: Float
    timeoutMs: Float
    "The condition waited for."
    until: JSON
  }

  "Exactly what a step acts on."
  type StepTouches {
    deviceIds: [ID!]!
    deviceCount: Int!
    "The devices (first ones, most exposed first)."
    devices(first: Int = 100): [Device!]!
    segmentIds: [ID!]!
    segments: [Segment!]!
    destinations: [String!]!
    webhook: StepWebhook
    wait: StepWait
    approval: StepApproval
  }

  type PlannedStep {
    index: Int!
    id: String!
    "quarantine, isolate_segment, block_destination, rotate_credentials, emergency_rollout, notify_webhook, wait, require_approval."
    type: String!
    "RUN or SKIP."
    decision: String!
    "PLAYBOOK_CONDITION, STEP_CONDITION or NOTHING_TO_DO."
    skipCode: String
    skipReason: String
    "Deterministic per run and step; what makes a resumed step act once."
    idempotencyKey: String!
    touches: StepTouches!
    excluded: [StepExclusion!]!
    "The step as defined (defaults filled in)."
    definition: JSON!
  }

  type PlanTotals {
    devices: Int!
    segments: Int!
    destinations: Int!
  }

  "A dry run: what each step would touch if the playbook ran on the incident now."
  type PlaybookPlan {
    playbook: String!
    incidentId: ID!
    "False when the playbook's own condition is false: every step is skipped."
    applies: Boolean!
    steps: [PlannedStep!]!
    "Distinct targets over the steps that would run."
    totals: PlanTotals!
  }

  type PlaybookRunStep {
    index: Int!
    id: String!
    type: String!
    status: PlaybookStepStatus!
    attempts: Int!
    startedAt: DateTime
    finishedAt: DateTime
    "End of a wait, or when a wait-until or an approval times out."
    deadline: DateTime
    "When a failed attempt is tried again."
    retryAt: DateTime
    error: String
    "What the step did, in a line."
    summary: String
    result: JSON
    "Who approved or rejected it."
    decidedBy: String
    "What it was planned to touch when the run started."
    plan: PlannedStep!
  }

  type PlaybookRunLogEntry {
    at: DateTime!
    stepId: String
    event: String!
    actor: String!
    detail: String
  }

  "One run of a playbook on an incident: the plan frozen when it started, and where it is."
  type PlaybookRun {
    id: ID!
    "Null once the playbook is deleted (playbookName stays)."
    playbook: Playbook
    playbookName: String!
    playbookVersion: Int!
    incident: Incident
    "A rehearsal: the plan is recorded, nothing is executed."
    dryRun: Boolean!
    trigger: PlaybookRunTrigger!
    status: PlaybookRunStatus!
    "user:<id>, apikey:<id> or system:playbooks."
    actor: String!
    actorName: String!
    "The step it is on (null once finished)."
    currentStep: PlaybookRunStep
    steps: [PlaybookRunStep!]!
    log: [PlaybookRunLogEntry!]!
    "When a waiting run is looked at again (end of a wait, a retry, an approval's timeout)."
    wakeAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    finishedAt: DateTime
  }

  type PlaybookRunChange {
    runId: ID!
    incidentId: ID!
    status: PlaybookRunStatus!
    actor: String!
    run: PlaybookRun
  }

  extend type Incident {
    "Playbook runs on this incident, newest first."
    playbookRuns: [PlaybookRun!]!
  }

  extend type Query {
    "Playbooks by name (VIEWER)."
    playbooks(enabled: Boolean): [Playbook!]!
    playbook(id: ID!): Playbook
    "Runs, newest first, of an incident and/or a playbook (VIEWER)."
    playbookRuns(incidentId: ID, playbookId: ID, statuses: [PlaybookRunStatus!], first: Int = 50): [PlaybookRun!]!
    playbookRun(id: ID!): PlaybookRun
    "What each step of a playbook (stored, or a source being edited) would touch on the incident now; changes nothing (RESPONDER)."
    dryRunPlaybook(incidentId: ID!, playbookId: ID, source: String): PlaybookPlan!
    "Validates a playbook source without storing it; problems by path and line (VIEWER)."
    validatePlaybook(source: String!): PlaybookValidation!
  }

  extend type Mutation {
    "Stores a playbook written as YAML or JSON, validated (ADMIN)."
    createPlaybook(source: String!, enabled: Boolean = true): Playbook!
    "Replaces a playbook's source; the version goes up (ADMIN). Runs keep the plan they started with."
    updatePlaybook(id: ID!, source: String!): Playbook!
    "Deletes a playbook with no run in progress (ADMIN); its runs stay, with its name."
    deletePlaybook(id: ID!): Playbook!
    "A disabled playbook neither triggers nor runs (ADMIN)."
    setPlaybookEnabled(id: ID!, enabled: Boolean!): Playbook!
    "Starts a playbook on an incident (RESPONDER); dryRun records the plan without executing anything."
    runPlaybook(playbookId: ID!, incidentId: ID!, dryRun: Boolean = false): PlaybookRun!
    "Approves (or rejects) a step awaiting approval (RESPONDER, or ADMIN when the step asks for it). A rejection fails the run."
    approvePlaybookStep(runId: ID!, stepId: String!, decision: ApprovalDecision = APPROVE, reason: String): PlaybookRun!
    "Cancels a run (RESPONDER): no further step starts."
    cancelPlaybookRun(runId: ID!, reason: String): PlaybookRun!
  }

  type Subscription {
    "Playbook runs starting, moving on, waiting and finishing; of one incident when given (VIEWER)."
    playbookRunChanged(incidentId: ID): PlaybookRunChange!
  }
`;

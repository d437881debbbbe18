export type RunStatus = 'RUNNING' | 'WAITING' | 'AWAITING_APPROVAL' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
export type StepStatus = 'PENDING' | 'RUNNING' | 'WAITING' | 'AWAITING_APPROVAL' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED';
export const FINISHED_RUN: RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

export interface PlaybookRef {
  id: string;
  name: string;
  title: string | null;
  description: string | null;
  autoTrigger: boolean;
  stepCount: number;
  version: number;
}

export const PLAYBOOKS = /* GraphQL */ `
  query ConsolePlaybooks {
    playbooks(enabled: true) { id name title description autoTrigger stepCount version }
  }
`;
export type PlaybooksResult = { playbooks: PlaybookRef[] };

export interface PlannedStep {
  index: number;
  id: string;
  type: string;
  decision: 'RUN' | 'SKIP';
  skipCode: string | null;
  skipReason: string | null;
  touches: {
    deviceCount: number;
    devices: { id: string; name: string; failSafe?: boolean }[];
    segments: { id: string; name: string }[];
    destinations: string[];
    webhook: { url: string | null; event: string; subscribers: string[] } | null;
    wait: { durationMs: number | null; timeoutMs: number | null; until: unknown } | null;
    approval: { role: string; message: string; timeoutMs: number } | null;
  };
  excluded: { id: string; reason: string }[];
}

const PLANNED_STEP = `
  index
  id
  type
  decision
  skipCode
  skipReason
  touches {
    deviceCount
    devices(first: 12) { id name }
    segments { id name }
    destinations
    webhook { url event subscribers }
    wait { durationMs timeoutMs until }
    approval { role message timeoutMs }
  }
  excluded { id reason }
`;

export interface PlaybookPlan {
  playbook: string;
  applies: boolean;
  steps: PlannedStep[];
  totals: { devices: number; segments: number; destinations: number };
}

export const DRY_RUN_PLAYBOOK = /* GraphQL */ `
  query ConsoleDryRunPlaybook($incidentId: ID!, $playbookId: ID!) {
    dryRunPlaybook(incidentId: $incidentId, playbookId: $playbookId) {
      playbook
      applies
      steps { ${PLANNED_STEP} }
      totals { devices segments destinations }
    }
  }
`;
export type DryRunResult = { dryRunPlaybook: PlaybookPlan };

export interface RunStep {
  index: number;
  id: string;
  type: string;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  deadline: string | null;
  error: string | null;
  summary: string | null;
  decidedBy: string | null;
  plan: PlannedStep;
}

export interface PlaybookRun {
  id: string;
  playbookName: string;
  playbookVersion: number;
  dryRun: boolean;
  trigger: 'MANUAL' | 'AUTO';
  status: RunStatus;
  actorName: string;
  createdAt: string;
  finishedAt: string | null;
  steps: RunStep[];
}

const RUN = `
  id
  playbookName
  playbookVersion
  dryRun
  trigger
  status
  actorName
  createdAt
  finishedAt
  steps {
    index
    id
    type
    status
    attempts
    startedAt
    finishedAt
    deadline
    error
    summary
    decidedBy
    plan { ${PLANNED_STEP} }
  }
`;

export const INCIDENT_PLAYBOOK_RUNS = /* GraphQL */ `
  query ConsoleIncidentPlaybookRuns($incidentId: ID!) {
    playbookRuns(incidentId: $incidentId, first: 50) { ${RUN} }
  }
`;
export type PlaybookRunsResult = { playbookRuns: PlaybookRun[] };

export const RUN_PLAYBOOK = /* GraphQL */ `
  mutation ConsoleRunPlaybook($playbookId: ID!, $incidentId: ID!) {
    runPlaybook(playbookId: $playbookId, incidentId: $incidentId) { id status }
  }
`;

export const APPROVE_PLAYBOOK_STEP = /* GraphQL */ `
  mutation ConsoleApprovePlaybookStep($runId: ID!, $stepId: String!, $decision: ApprovalDecision!, $reason: String) {
    approvePlaybookStep(runId: $runId, stepId: $stepId, decision: $decision, reason: $reason) { id status }
  }
`;

export const CANCEL_PLAYBOOK_RUN = /* GraphQL */ `
  mutation ConsoleCancelPlaybookRun($runId: ID!, $reason: String) {
    cancelPlaybookRun(runId: $runId, reason: $reason) { id status }
  }
`;

export const PLAYBOOK_RUN_CHANGED = /* GraphQL */ `
  subscription ConsolePlaybookRunChanged($incidentId: ID) {
    playbookRunChanged(incidentId: $incidentId) { runId status }
  }
`;
export type PlaybookRunChangedEvent = { playbookRunChanged: { runId: string; status: RunStatus } };

export const ROLLOUT_STATUSES = ['WAITING_APPROVAL', 'READY', 'RUNNING', 'PAUSED', 'SUCCEEDED', 'ABORTED', 'CANCELED'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];
export const FINAL_STATUSES: RolloutStatus[] = ['SUCCEEDED', 'ABORTED', 'CANCELED'];

export interface ReleaseRef {
  id: string;
  version: string;
  model: { id: string; vendor: string; name: string };
}

export interface WaveProgress {
  index: number;
  name: string | null;
  size: number;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  succeeded: number;
  failed: number;
  open: number;
  counts: { status: string; count: number }[];
}

export interface Progress {
  status: RolloutStatus;
  statusReason: string | null;
  total: number;
  succeeded: number;
  failed: number;
  waves: WaveProgress[];
}

export interface RolloutRow {
  id: string;
  name: string;
  status: RolloutStatus;
  statusReason: string | null;
  emergency: boolean;
  createdAt: string;
  createdBy: string | null;
  release: ReleaseRef;
  progress: Pick<Progress, 'total' | 'succeeded' | 'failed'>;
}

const RELEASE_REF = `release { id version model { id vendor name } }`;

export const ROLLOUTS = /* GraphQL */ `
  query ConsoleRollouts($status: RolloutStatus, $first: Int!) {
    rollouts(status: $status, first: $first) {
      id
      name
      status
      statusReason
      emergency
      createdAt
      createdBy
      ${RELEASE_REF}
      progress {
        total
        succeeded
        failed
      }
    }
  }
`;
export type RolloutsResult = { rollouts: RolloutRow[] };

const PROGRESS = `
  status
  statusReason
  total
  succeeded
  failed
  waves {
    index
    name
    size
    status
    startedAt
    finishedAt
    succeeded
    failed
    open
    counts {
      status
      count
    }
  }
`;

export interface RolloutDetail extends RolloutRow {
  filter: Record<string, unknown>;
  successThresholdPct: number;
  errorThresholdPct: number;
  overallErrorThresholdPct: number;
  errorAction: 'PAUSE' | 'ABORT';
  deviceDeadlineSeconds: number;
  waveDelaySeconds: number;
  maintenanceWindow: { start: string; durationMinutes: number; timezone: string } | null;
  forced: boolean;
  requiresApproval: boolean;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  rollbackOf: { id: string; name: string } | null;
  progress: Progress;
  exclusions: { reason: string; device: { id: string; name: string; serial: string } }[];
}

export const ROLLOUT = /* GraphQL */ `
  query ConsoleRollout($id: ID!) {
    rollout(id: $id) {
      id
      name
      status
      statusReason
      emergency
      createdAt
      createdBy
      ${RELEASE_REF}
      filter
      successThresholdPct
      errorThresholdPct
      overallErrorThresholdPct
      errorAction
      deviceDeadlineSeconds
      waveDelaySeconds
      maintenanceWindow
      forced
      requiresApproval
      approvedBy
      approvedAt
      startedAt
      finishedAt
      rollbackOf {
        id
        name
      }
      progress {
        ${PROGRESS}
      }
      exclusions {
        reason
        device {
          id
          name
          serial
        }
      }
    }
  }
`;
export type RolloutResult = { rollout: RolloutDetail | null };

export const ROLLOUT_PROGRESS = /* GraphQL */ `
  query ConsoleRolloutProgress($id: ID!) {
    rolloutProgress(id: $id) {
      ${PROGRESS}
    }
  }
`;
export type RolloutProgressResult = { rolloutProgress: Progress };

export const RELEASES = /* GraphQL */ `
  query ConsoleReleases {
    releases(first: 200) {
      id
      version
      createdAt
      model {
        id
        vendor
        name
        otaCapable
      }
    }
  }
`;
export type ReleasesResult = { releases: (ReleaseRef & { createdAt: string; model: ReleaseRef['model'] & { otaCapable: boolean } })[] };

export const CREATE_ROLLOUT = /* GraphQL */ `
  mutation ConsoleCreateRollout($input: CreateRolloutInput!) {
    createRollout(input: $input) {
      id
    }
  }
`;

/** The operations on one rollout, each `mutation($id: ID!)`. */
export const ROLLOUT_ACTIONS = {
  approve: 'mutation ConsoleApproveRollout($id: ID!) { approveRollout(id: $id) { id } }',
  start: 'mutation ConsoleStartRollout($id: ID!) { startRollout(id: $id) { id } }',
  pause: 'mutation ConsolePauseRollout($id: ID!) { pauseRollout(id: $id) { id } }',
  resume: 'mutation ConsoleResumeRollout($id: ID!) { resumeRollout(id: $id) { id } }',
  cancel: 'mutation ConsoleCancelRollout($id: ID!) { cancelRollout(id: $id) { id } }',
  retry: 'mutation ConsoleRetryRollout($id: ID!) { retryFailedRollout(id: $id) { retried } }',
  rollback: 'mutation ConsoleRollbackRollout($id: ID!) { rollbackRollout(id: $id) { id } }',
} as const;

import type { UpdateActionStatus } from '@warden/db';
import type { ddi } from '@warden/contracts';

/** What one DDI feedback does to an action (pure; see DDI.md "Deployment feedback mapping"). */
export interface FeedbackEffect {
  status: UpdateActionStatus;
  /** The action is over (no longer shown to the device). */
  closes: boolean;
}

export function mapDeploymentFeedback(execution: ddi.Execution, finished: ddi.Finished): FeedbackEffect {
  switch (execution) {
    case 'canceled':
      return { status: 'CANCELED', closes: true };
    case 'rejected':
      return { status: 'WARNING', closes: false };
    case 'closed':
      return finished === 'failure' ? { status: 'ERROR', closes: true } : { status: 'FINISHED', closes: true };
    case 'download':
      return { status: 'DOWNLOAD', closes: false };
    case 'downloaded':
      return { status: 'DOWNLOADED', closes: false };
    case 'proceeding':
    case 'scheduled':
    case 'resumed':
      return { status: 'RUNNING', closes: false };
  }
}

/** Feedback on a cancellation: closed+success|none confirms it; a failure or rejection resumes the update. */
export function mapCancelFeedback(execution: ddi.Execution, finished: ddi.Finished): FeedbackEffect | null {
  if (execution === 'closed') return finished === 'failure' ? { status: 'RUNNING', closes: false } : { status: 'CANCELED', closes: true };
  if (execution === 'rejected') return { status: 'RUNNING', closes: false };
  if (execution === 'canceled') return { status: 'CANCELED', closes: true };
  return null; // progress on the cancellation itself: recorded, status unchanged
}

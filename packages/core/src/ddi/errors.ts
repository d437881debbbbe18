import { ConflictError } from '../errors.js';

/** Feedback for an action that is no longer active (DDI answers 410 Gone). */
export class ActionClosedError extends ConflictError {
  constructor(actionId: number) {
    super(`action ${actionId} is no longer active`, { actionId, gone: true });
  }
}

/** Cancel feedback for an action that is not being canceled (DDI answers 405). */
export class NotCancelingError extends ConflictError {
  constructor(actionId: number) {
    super(`action ${actionId} is not being canceled`, { actionId });
  }
}

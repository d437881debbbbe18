/**
 * The errors `core` throws. Each transport maps them once: GraphQL `extensions.code`, HTTP status.
 * The domain never throws transport errors.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED';

export abstract class WardenError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends WardenError {
  readonly code = 'UNAUTHENTICATED' as const;
}

export class ForbiddenError extends WardenError {
  readonly code = 'FORBIDDEN' as const;
}

/** Bad input; `field` names the offending input field when there is one. */
export class ValidationError extends WardenError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    message: string,
    readonly field?: string,
    details?: Record<string, unknown>,
  ) {
    super(message, { ...details, ...(field ? { field } : {}) });
  }
}

export class NotFoundError extends WardenError {
  readonly code = 'NOT_FOUND' as const;
  constructor(entity: string, id: string) {
    super(`${entity} ${id} not found`, { entity, id });
  }
}

export class ConflictError extends WardenError {
  readonly code = 'CONFLICT' as const;
}

export class RateLimitedError extends WardenError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export function isWardenError(err: unknown): err is WardenError {
  return err instanceof WardenError;
}

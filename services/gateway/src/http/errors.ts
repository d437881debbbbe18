import type { Response } from 'express';
import { IngestBusyError, IngestUnavailableError, isWardenError, RateLimitedError } from '@warden/core';
import type { Logger } from '@warden/runtime';

const STATUS = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 } as const;

/** Maps an error from `core` to an HTTP answer once; anything unexpected is logged and masked. */
export function sendError(res: Response, err: unknown, log: Logger): void {
  if (err instanceof IngestBusyError || err instanceof IngestUnavailableError) {
    res.setHeader('retry-after', String(err.retryAfterSeconds));
    const busy = err instanceof IngestBusyError;
    if (!busy) log.warn({ err: err.cause ?? err }, 'Kafka did not take telemetry');
    res.status(busy ? 429 : 503).json({ error: { code: busy ? 'BUSY' : 'UNAVAILABLE', message: err.message } });
    return;
  }
  if (err instanceof RateLimitedError) res.setHeader('retry-after', String(err.retryAfterSeconds));
  if (isWardenError(err)) {
    res.status(STATUS[err.code]).json({ error: { code: err.code, message: err.message, ...err.details } });
    return;
  }
  log.error({ err }, 'unexpected error');
  res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
}

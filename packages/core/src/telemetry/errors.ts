/**
 * Why telemetry could not be accepted right now. Transports answer with a Retry-After and the
 * device sends the batch again later; nothing was acknowledged.
 */
export class IngestBusyError extends Error {
  override name = 'IngestBusyError';
  constructor(readonly retryAfterSeconds = 1) {
    super('too much telemetry waiting for Kafka; retry shortly');
  }
}

export class IngestUnavailableError extends Error {
  override name = 'IngestUnavailableError';
  constructor(
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super('telemetry cannot be stored right now; retry later', options);
  }
}

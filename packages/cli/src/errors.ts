/** A failure the user should read: printed as `warden: <message>` with a non-zero exit. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A GraphQL error from the API, with its `extensions.code` (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND…). */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What the user sees for an error: the code first, so scripts and people can match on it. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const hint = HINTS[err.code];
    return `${err.code}: ${err.message}${err.field ? ` (field ${err.field})` : ''}${hint ? `\n  ${hint}` : ''}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

const HINTS: Record<string, string> = {
  UNAUTHENTICATED: 'the API key was not accepted: it is wrong, revoked or expired. Set WARDEN_API_KEY or pass --api-key.',
  FORBIDDEN: "the API key's role may not do this; ask an admin for a key with a higher role.",
  RATE_LIMITED: 'too many requests from this address; wait a minute and retry.',
};

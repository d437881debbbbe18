import type { Config } from '@warden/config';
import type { JobQueue } from '@warden/contracts';
import type { CoreDeps } from '../context.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { createUrlPolicy, type UrlPolicy } from './url-policy.js';

/** How webhooks are signed, where they may go, and how they are retried. */
export interface WebhookSettings {
  secretBox: SecretBox;
  policy: UrlPolicy;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

/** What webhook use-cases need besides the database: the job queue and the settings. */
export interface WebhookDeps extends CoreDeps {
  jobs: JobQueue;
  webhooks: WebhookSettings;
}

export function webhookSettings(config: Config['webhooks']): WebhookSettings {
  return {
    secretBox: createSecretBox(config.secretKey),
    policy: createUrlPolicy(config.allowNetworks),
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
  };
}

/** Delay before attempt `n + 1` after `n` failed attempts: base, 3×, 9×, ... capped at an hour. */
export const deliveryBackoffMs = (baseMs: number, failedAttempts: number): number => Math.min(baseMs * 3 ** Math.max(0, failedAttempts - 1), 3_600_000);

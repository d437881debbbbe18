import { pollViewsByTokenHashes, type TokenPollRow } from '@warden/db';
import { hashSecret } from '../auth/secrets.js';
import type { CoreDeps } from '../context.js';
import { ACTIVE_ACTION_STATUSES } from '../rollouts/state-machine.js';
import type { ControllerView } from './controller.js';

/** A poll authenticated by a device token: whose token it is, and what the device should do next. */
export interface TokenPoll {
  deviceId: string;
  controllerId: string;
  view: ControllerView;
}

interface Waiter {
  resolve(poll: TokenPoll | null): void;
  reject(err: unknown): void;
}

/**
 * Polls authenticated by device tokens, checked against the database in shared round trips.
 *
 * Every poll's token is still looked up after the poll arrived (nothing about it is remembered),
 * but polls that arrive together share one statement: those received in the same turn of the
 * event loop, and those that arrive while `concurrency` statements are already running. At a
 * few polls per second each is checked alone, as before; at thousands per second one statement
 * checks dozens of tokens, which costs the database and the gateway a fraction of a statement each.
 */
export class TokenPollBatcher {
  private pending = new Map<string, Waiter[]>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly deps: Pick<CoreDeps, 'sql' | 'config' | 'now'>,
    private readonly opts: { concurrency?: number; maxBatch?: number } = {},
  ) {}

  /**
   * Checks the token and reads the device's next action. Null when the token is unknown, revoked,
   * expired, or its device retired.
   */
  poll(token: string): Promise<TokenPoll | null> {
    if (!token || token.length > 200) return Promise.resolve(null);
    const hash = hashSecret(token, this.deps.config.auth.tokenPepper);
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(hash);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(hash, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Starts statements for what is pending, up to the concurrency limit; the rest waits for one to finish. */
  private drain(): void {
    const concurrency = this.opts.concurrency ?? 4;
    const maxBatch = this.opts.maxBatch ?? 500;
    while (this.pending.size && this.inFlight < concurrency) {
      let batch: Map<string, Waiter[]>;
      if (this.pending.size <= maxBatch) {
        batch = this.pending;
        this.pending = new Map();
      } else {
        batch = new Map();
        for (const [hash, waiters] of this.pending) {
          batch.set(hash, waiters);
          this.pending.delete(hash);
          if (batch.size === maxBatch) break;
        }
      }
      this.inFlight++;
      void this.check(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async check(batch: Map<string, Waiter[]>): Promise<void> {
    let rows: TokenPollRow[];
    try {
      rows = await pollViewsByTokenHashes(this.deps.sql, [...batch.keys()], ACTIVE_ACTION_STATUSES);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      return;
    }
    const at = this.deps.now?.() ?? new Date();
    const found = new Map(rows.map((r) => [r.token_hash, r]));
    for (const [hash, waiters] of batch) {
      const r = found.get(hash);
      const poll = r ? toPoll(r, at) : null;
      for (const w of waiters) w.resolve(poll);
    }
  }
}

function toPoll(r: TokenPollRow, at: Date): TokenPoll | null {
  if (r.revoked_at || r.status === 'RETIRED') return null;
  if (r.expires_at && r.expires_at <= at) return null;
  return {
    deviceId: r.device_id,
    controllerId: r.controller_id,
    view: {
      action: r.action_id != null ? { id: r.action_id, canceling: r.action_status === 'CANCELING' } : null,
      configRequested: r.config_requested ?? true,
    },
  };
}

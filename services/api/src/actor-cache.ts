import { createHash } from 'node:crypto';
import { authenticate, type Actor, type CoreDeps } from '@warden/core';

interface Entry {
  actor: Actor;
  until: number;
}

/**
 * Remembers who a bearer secret belongs to for a couple of seconds, so a console refreshing a table
 * does not pay a database round trip per request. Bounded in size and time; an entry never outlives
 * its credential's expiry; revocation, sign-out and disabling a user drop this process' entries at
 * once (other API instances follow within the TTL).
 */
export class ActorCache {
  private readonly entries = new Map<string, Entry>();
  private readonly forgotten: Array<() => void> = [];

  constructor(
    private readonly deps: CoreDeps,
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  async resolve(secret: string, meta: { ip: string | null; requestId: string }): Promise<Actor | null> {
    const key = createHash('sha256').update(secret).digest('base64url');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now && hit.actor.ip === meta.ip) return { ...hit.actor, requestId: meta.requestId };
    if (hit) this.entries.delete(key);
    const actor = await authenticate(this.deps, secret, meta);
    if (actor && this.ttlMs > 0) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      const until = Math.min(now + this.ttlMs, actor.expiresAt?.getTime() ?? Infinity);
      this.entries.set(key, { actor, until });
    }
    return actor;
  }

  /** Calls `listener` after a credential changed here (sign-out, revocation, a new role, a disabled user). */
  onForget(listener: () => void): void {
    this.forgotten.push(listener);
  }

  /** Forgets every cached secret of a user or API key. */
  forget(actorId: string | null | undefined): void {
    if (!actorId) return;
    for (const [k, e] of this.entries) if (e.actor.id === actorId) this.entries.delete(k);
    for (const l of this.forgotten) l();
  }

  forgetSecret(secret: string): void {
    this.entries.delete(createHash('sha256').update(secret).digest('base64url'));
    for (const l of this.forgotten) l();
  }
}

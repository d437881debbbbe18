import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Logger } from '@warden/runtime';
import type { ActorCache } from './actor-cache.js';

/** graphql-ws's close code for a socket whose credentials are refused. */
export const SOCKET_FORBIDDEN = 4403;

interface OpenSocket {
  token: string;
  ip: string | null;
}

/**
 * The open subscription sockets and the credential each signed in with. A subscription carries
 * live incident data for as long as it is open, so its credential is checked again: a socket whose
 * session was signed out or revoked, whose API key was revoked, whose user was disabled, or whose
 * credential expired is closed with 4403. Every `intervalMs`, and at once after this instance
 * changed a credential (`recheck`); other instances follow within their interval.
 */
export class LiveSockets {
  private readonly open = new Map<WebSocket, OpenSocket>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly actors: ActorCache,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  add(socket: WebSocket, token: string, ip: string | null): void {
    this.open.set(socket, { token, ip });
    socket.once('close', () => this.open.delete(socket));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.recheck(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checks every open socket's credential (each credential once) and closes those refused; how many it closed. */
  recheck(): Promise<number> {
    if (this.running) {
      // A change during a check is seen by the next one.
      this.again = true;
      return this.running;
    }
    this.running = this.check().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.recheck();
      }
    });
    return this.running;
  }

  private async check(): Promise<number> {
    const byCredential = new Map<string, WebSocket[]>();
    for (const [socket, s] of this.open) {
      const key = `${s.ip ?? ''} ${s.token}`;
      const list = byCredential.get(key);
      if (list) list.push(socket);
      else byCredential.set(key, [socket]);
    }
    let closed = 0;
    for (const sockets of byCredential.values()) {
      const s = this.open.get(sockets[0]!);
      if (!s) continue;
      let valid: boolean;
      try {
        valid = (await this.actors.resolve(s.token, { ip: s.ip, requestId: randomUUID() })) !== null;
      } catch (err) {
        // The database is unreachable: keep the sockets and look again next time.
        this.log.warn({ err }, 'could not re-check a subscription socket credential');
        continue;
      }
      if (valid) continue;
      for (const socket of sockets) {
        socket.close(SOCKET_FORBIDDEN, 'Forbidden: credentials no longer valid');
        this.open.delete(socket);
        closed++;
      }
    }
    return closed;
  }
}

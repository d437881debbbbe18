import pg from 'pg';

export interface Listener {
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(payload: string): void;
  /** `true` once listening (again), `false` when the connection is lost: notifications may have been missed. */
  onState(listening: boolean): void;
  onError?(err: Error): void;
}

/**
 * LISTENs on a PostgreSQL channel on a connection of its own (notifications need a session that is
 * not returned to a pool), reconnecting with backoff. Whoever relies on the notifications must
 * treat `onState(false)` as "anything may have changed".
 */
export function listen(connectionString: string, channel: string, handlers: ListenHandlers): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const lost = (err?: Error) => {
    if (err) handlers.onError?.(err);
    const c = client;
    client = null;
    c?.removeAllListeners();
    void c?.end().catch(() => {});
    handlers.onState(false);
    if (closed) return;
    timer = setTimeout(connect, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 30_000);
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString, application_name: `warden-listen-${channel}` });
    // Until connected, a failure rejects `connect()` below; the no-op only keeps the event handled.
    c.on('error', () => {});
    try {
      await c.connect();
      c.on('notification', (n) => n.channel === channel && handlers.onNotify(n.payload ?? ''));
      await c.query(`LISTEN ${channel}`);
      if (closed) return void (await c.end());
      c.removeAllListeners('error');
      c.on('error', (err) => client === c && lost(err));
      c.on('end', () => client === c && lost());
      client = c;
      retryMs = 500;
      handlers.onState(true);
    } catch (err) {
      c.removeAllListeners();
      await c.end().catch(() => {});
      lost(err as Error);
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      c?.removeAllListeners();
      await c?.end().catch(() => {});
    },
  };
}

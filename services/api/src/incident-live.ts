import { incidentLiveChannel, type IncidentLiveEvent } from '@warden/core';
import type { Logger, Redis } from '@warden/runtime';

/**
 * Live incident-response events for this API instance's subscribers. Every instance subscribes
 * to one Redis pub/sub channel, which the stream processor (new alerts, incidents it opened or
 * grew) and every API instance (responders' changes) publish to; so a change made through one
 * instance reaches subscribers on all of them. Delivery is best effort: Postgres is the record.
 */
export interface IncidentLiveHub {
  publish(event: IncidentLiveEvent): Promise<void>;
  /** Events from now on; the iterator's `return()` (client unsubscribed) frees it. */
  subscribe(): AsyncIterableIterator<IncidentLiveEvent>;
  close(): Promise<void>;
}

export function createIncidentLiveHub(redis: Redis, redisPrefix: string, log: Logger): IncidentLiveHub {
  const channel = incidentLiveChannel(redisPrefix);
  const listeners = new Set<(e: IncidentLiveEvent) => void>();
  let subscriber: Redis | undefined;
  let ready: Promise<unknown> | undefined;

  const connect = () => {
    if (subscriber) return ready!;
    const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber = sub;
    sub.on('error', (err) => log.warn({ err }, 'incident live channel: Redis error'));
    sub.on('message', (_channel: string, message: string) => {
      let event: IncidentLiveEvent;
      try {
        event = JSON.parse(message) as IncidentLiveEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    });
    ready = sub.subscribe(channel);
    return ready;
  };

  return {
    async publish(event) {
      await redis.publish(channel, JSON.stringify(event)).catch((err: unknown) => log.warn({ err }, 'could not publish a live incident event'));
    },
    subscribe() {
      const queue: IncidentLiveEvent[] = [];
      let wake: ((r: IteratorResult<IncidentLiveEvent>) => void) | undefined;
      let done = false;
      const listener = (e: IncidentLiveEvent) => {
        if (wake) {
          const w = wake;
          wake = undefined;
          w({ value: e, done: false });
        } else if (queue.length < 1000) queue.push(e);
      };
      listeners.add(listener);
      const subscribed = connect();
      const finish = (): Promise<IteratorResult<IncidentLiveEvent>> => {
        done = true;
        listeners.delete(listener);
        queue.length = 0;
        wake?.({ value: undefined, done: true });
        wake = undefined;
        return Promise.resolve({ value: undefined, done: true });
      };
      const it: AsyncIterableIterator<IncidentLiveEvent> = {
        async next() {
          await subscribed;
          if (done) return { value: undefined, done: true };
          const e = queue.shift();
          if (e) return { value: e, done: false };
          return new Promise((resolve) => (wake = resolve));
        },
        return: finish,
        throw: async (err: unknown) => {
          await finish();
          throw err;
        },
        [Symbol.asyncIterator]() {
          return it;
        },
      };
      return it;
    },
    async close() {
      listeners.clear();
      subscriber?.disconnect();
    },
  };
}

/**
 * Filters a live stream and maps each event (null: skip). `return()` reaches the source at once,
 * even while waiting for the next event (an async generator would wait for that event first).
 */
export function mapLive<T>(source: AsyncIterableIterator<IncidentLiveEvent>, fn: (e: IncidentLiveEvent) => Promise<T | null>): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done) return { value: undefined, done: true };
        const v = await fn(r.value);
        if (v !== null) return { value: v, done: false };
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis } from '@warden/runtime';
import { testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { createIncidentLiveHub } from './incident-live.js';

const redis = createRedis(TEST_REDIS_URL, { forRequests: true });
const prefix = testRedisPrefix();
const log = createLogger('live-test', 'silent');
// Two hubs on one channel: two API instances.
const one = createIncidentLiveHub(redis, prefix, log);
const two = createIncidentLiveHub(redis, prefix, log);

afterAll(async () => {
  await one.close();
  await two.close();
  redis.disconnect();
});

describe('incident live hub', () => {
  it('delivers an event published through one instance to subscribers of another', async () => {
    const sub = two.subscribe();
    const next = sub.next();
    await new Promise((r) => setTimeout(r, 200));
    await one.publish({ type: 'INCIDENT', incidentId: '6f1c2a9e-7b7d-4c3e-8a1f-0c2d4e6f8a9b', change: 'NOTE', actor: 'user:x' });
    await expect(next).resolves.toEqual({ done: false, value: expect.objectContaining({ change: 'NOTE' }) });
    await sub.return!();
  });

  it('ends a subscription at once when the client leaves, even while it waits for an event', async () => {
    const sub = one.subscribe();
    const pending = sub.next();
    await sub.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(sub.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

import type { Config } from '@warden/config';
import { createSegment, createSite, createUser, SYSTEM_ACTOR, type Actor, type Role } from '@warden/core';
import { webhookSettings } from '@warden/core/webhooks';
import type { PlaybookDeps } from '@warden/core/playbooks';
import { createJobQueue, createRedis, type BullJobQueue, type Redis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@warden/testing';

/**
 * A fresh database and Redis prefix, the use-case deps an API would have, and the worker service
 * (in-process, or as its own process so a test can kill it). Webhooks may reach 127.0.0.0/8 here.
 */
export async function startPlaybookHarness(extra: Record<string, string> = {}) {
  const tdb: TestDatabase = await createTestDatabase();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    TOKEN_PEPPER: 'test-pepper-0123456789',
    PASSWORD_MEMORY_KIB: '1024',
    PASSWORD_ITERATIONS: '1',
    WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
    WEBHOOK_RETRY_BASE_MS: '150',
    WEBHOOK_MAX_ATTEMPTS: '4',
    WEBHOOK_TIMEOUT_MS: '5000',
    PLAYBOOK_WAIT_POLL_MS: '400',
    WORKER_LOCK_MS: '2000',
    ...extra,
  };
  const config: Config = testConfig(env);
  const redis: Redis = createRedis(config.redisUrl);
  const jobs: BullJobQueue = createJobQueue(redis, config.redisPrefix);
  const deps: PlaybookDeps = { db: tdb.db, sql: tdb.sql, config, jobs, webhooks: webhookSettings(config.webhooks), playbooks: { waitPollMs: config.playbooks.waitPollMs } };
  const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  const segment = await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'iot-1', cidr: '10.20.0.0/16', zone: 'IOT' });

  /** A signed-in person of `role`, as the API would pass to use-cases. */
  async function person(role: Role): Promise<Actor> {
    const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const u = await createUser(deps, SYSTEM_ACTOR, { email, name: role, password: `correct horse ${role} battery`, role });
    return { type: 'USER', id: u.id, name: email, role, ip: '127.0.0.1' };
  }

  /** An incident as detection opens one (the stream writes these in production). */
  async function incident(over: { severity?: string; rule?: string; deviceIds?: string[]; status?: string } = {}): Promise<string> {
    const id = crypto.randomUUID();
    const at = new Date();
    await tdb.db.incident.create({
      data: {
        id,
        correlationKey: `segment:${segment.id}:${over.rule ?? 'WORM_FAN_OUT'}`,
        rule: over.rule ?? 'WORM_FAN_OUT',
        segmentId: segment.id,
        title: 'worm-like scanning',
        severity: over.severity ?? 'HIGH',
        status: over.status ?? 'OPEN',
        deviceIds: over.deviceIds ?? [],
        alertCount: 1,
        firstAlertAt: at,
        lastAlertAt: at,
      },
    });
    return id;
  }

  return {
    tdb,
    config,
    env,
    redis,
    jobs,
    deps,
    siteId: site.id,
    segmentId: segment.id,
    person,
    incident,
    async close() {
      await jobs.close();
      redis.disconnect();
      await tdb.drop();
    },
  };
}
export type PlaybookHarness = Awaited<ReturnType<typeof startPlaybookHarness>>;

export async function eventually<T>(fn: () => Promise<T | false | null | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


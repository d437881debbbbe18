import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type Api } from '@warden/api';
import type { Config } from '@warden/config';
import { SYSTEM_ACTOR, createUser, seedDemoOffice, type CoreDeps } from '@warden/core';
import { createLogger, createRedis, type Redis } from '@warden/runtime';
import { TEST_REDIS_URL, createTestDatabase, testConfig, testRedisPrefix, type TestDatabase } from '@warden/testing';
import { ensureConsoleBuilt } from '../scripts/build.js';

export const screenshotsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../screenshots');

/** Debian's Chromium, headless, with nothing reaching for the network (see ENVIRONMENT.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const USERS = {
  admin: { email: 'admin@warden.test', password: 'admin-password-for-tests' },
  operator: { email: 'operator@warden.test', password: 'operator-password-for-tests' },
  responder: { email: 'responder@warden.test', password: 'responder-password-for-tests' },
  viewer: { email: 'viewer@warden.test', password: 'viewer-password-for-tests' },
} as const;

export interface Stack {
  baseUrl: string;
  config: Config;
  /** The environment `config` was parsed from, for more services on the same database and Redis. */
  env: Record<string, string>;
  deps: CoreDeps;
  database: TestDatabase;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * The real api on a free port over a fresh database seeded with the demo office (`scale` × 2,000
 * devices) and one user per role, the console built and served by it, and a browser.
 */
export async function startStack(opts: { scale: number }): Promise<Stack> {
  const [, database] = await Promise.all([ensureConsoleBuilt(), createTestDatabase()]);
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix() };
  const config = testConfig(env);
  const deps: CoreDeps = { db: database.db, sql: database.sql, config };
  await seedDemoOffice(deps, SYSTEM_ACTOR, { scale: opts.scale, adminEmail: USERS.admin.email, adminPassword: USERS.admin.password });
  await createUser(deps, SYSTEM_ACTOR, { ...USERS.operator, name: 'Olive Operator', role: 'OPERATOR' });
  await createUser(deps, SYSTEM_ACTOR, { ...USERS.responder, name: 'Rita Responder', role: 'RESPONDER' });
  await createUser(deps, SYSTEM_ACTOR, { ...USERS.viewer, name: 'Vic Viewer', role: 'VIEWER' });

  const redis: Redis = createRedis(config.redisUrl, { forRequests: true });
  const api: Api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('api', 'silent') });
  const port = await api.listen(0, '127.0.0.1');
  const browser = await launchChromium();
  mkdirSync(screenshotsDir, { recursive: true });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    env,
    deps,
    database,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await api.stop();
      redis.disconnect();
      await database.drop();
    },
  };
}

/** A fresh browser context (its own storage) on a laptop-sized screen, failing on page errors. */
export async function newPage(stack: Stack): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await stack.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.baseUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A bearer token for `who`, signed in through the api as any client would. */
export async function tokenFor(stack: Stack, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${stack.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', variables: { e: who.email, p: who.password } }),
  });
  const body = (await res.json()) as { data?: { login: { token: string } }; errors?: unknown };
  if (!body.data) throw new Error(`login failed: ${JSON.stringify(body.errors)}`);
  return body.data.login.token;
}

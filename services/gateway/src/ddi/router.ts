import express, { type NextFunction, type Request, type Response } from 'express';
import { ddi } from '@warden/contracts';
import { isWardenError } from '@warden/core';
import {
  ActionClosedError,
  NotCancelingError,
  assignedModule,
  cancelFor,
  deploymentFor,
  installedFor,
  postCancelFeedback,
  postDeploymentFeedback,
  putConfigData,
  type ControllerViewCache,
  type PollRecorder,
} from '@warden/core/ddi';
import type { ArtifactStorage } from '@warden/core/firmware';
import type { RolloutDeps } from '@warden/core/rollouts';
import type { Logger } from '@warden/runtime';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { limitByIp, type AuthFailureGuard } from '../http/rate-limit.js';
import { ddiAuth, type DdiDevice, type DdiTokenCache } from './auth.js';
import { sendArtifact } from './download.js';
import * as body from './responses.js';

export interface DdiOptions {
  deps: RolloutDeps;
  storage: ArtifactStorage;
  polls: PollRecorder;
  log: Logger;
  tenant: string;
  pollSeconds: number;
  publicUrl: string | undefined;
  authCacheMs: number;
  /** Token checks kept in memory; containment evicts a device's at once. */
  tokens?: DdiTokenCache;
  /** Poll answers kept in memory; this gateway forgets a device's at once when it writes for it. */
  views: ControllerViewCache;
  /** Requests per client IP before authentication, and failed authentications per client IP. */
  limits?: { ip: RateLimiterAbstract; authFailures: AuthFailureGuard };
}

const JSON_TYPES = ['application/json', 'application/hal+json', 'application/*+json'];
const MAX_ACTION_ID = 2 ** 31 - 1;

/** Maps core's errors to DDI statuses once; DDI error bodies stay empty. */
function fail(res: Response, log: Logger, err: unknown): void {
  if (res.headersSent) return void res.end();
  let status = 500;
  if (err instanceof ActionClosedError) status = 410;
  else if (err instanceof NotCancelingError) status = 405;
  else if (isWardenError(err)) {
    status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 }[err.code];
    if (err.code === 'RATE_LIMITED') res.setHeader('Retry-After', String((err.details?.retryAfterSeconds as number | undefined) ?? 60));
  } else log.error({ err }, 'DDI request failed');
  res.status(status).end();
}

function actionId(raw: string): number | null {
  if (!/^\d{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 && n <= MAX_ACTION_ID ? n : null;
}

/** `actionHistory=n`: 0 none, < 0 as many as kept (capped at 100). */
function historyCount(req: Request): number | null {
  const raw = req.query.actionHistory;
  if (typeof raw !== 'string' || !/^-?\d{1,6}$/.test(raw)) return null;
  return Number(raw);
}

/**
 * The hawkBit DDI v1 API under `/{tenant}/controller/v1/{controllerId}` (see DDI.md). Handlers
 * parse with `contracts`, call a core use-case, and map errors.
 */
export function ddiRouter(o: DdiOptions): express.Router {
  const P = '/:tenant/controller/v1/:controllerId';
  const json = express.json({ type: JSON_TYPES, limit: '256kb', strict: true });
  const device = (res: Response) => res.locals.device as DdiDevice;
  const baseUrl = (req: Request) => {
    const root = o.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
    const { tenant, controllerId } = req.params as { tenant: string; controllerId: string };
    return `${root}/${encodeURIComponent(tenant)}/controller/v1/${encodeURIComponent(controllerId)}`;
  };
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response): Promise<void> =>
      fn(req, res).catch((err: unknown) => fail(res, o.log, err));
  const needsJson = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is(JSON_TYPES)) return void res.status(415).end();
    next();
  };
  /** Parses a body with a contracts schema; a mismatch is a 400 that changes nothing. */
  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, req: Request, res: Response): T | null => {
    const r = schema.safeParse(req.body);
    if (!r.success) {
      res.status(400).end();
      return null;
    }
    return r.data;
  };
  const id = (req: Request, res: Response): number | null => {
    const n = actionId((req.params as { actionId: string }).actionId);
    if (n === null) res.status(404).end();
    return n;
  };

  return buildRoutes();

  function buildRoutes(): express.Router {
    const auth = ddiAuth(o.deps, {
      tenant: o.tenant,
      cacheMs: o.authCacheMs,
      views: o.views,
      ...(o.tokens ? { tokens: o.tokens } : {}),
      ...(o.limits ? { failures: o.limits.authFailures } : {}),
    });
    /** After this gateway's own write, the next poll must not wait for the database's notification. */
    const changed = (res: Response) => o.views.invalidate([device(res).deviceId]);
    const r = express.Router({ caseSensitive: true, mergeParams: true });
    const authed = auth.middleware;
    // Before authentication, per client IP: 429 with Retry-After and, as DDI errors, no body.
    if (o.limits) r.use(P, limitByIp(o.limits.ip, 'empty'));

    r.get(P, wrap(async (req, res) => {
      if (auth.blocked(req, res)) return;
      const polled = await auth.poll(req);
      if (!polled) return auth.deny(req, res);
      o.polls.record(polled.device.deviceId, req.ip ?? null);
      body.sendSerialized(req, res, body.controllerBaseJson(baseUrl(req), o.pollSeconds, polled.view));
    }));

    r.put(`${P}/configData`, authed, needsJson, json, wrap(async (req, res) => {
      const data = parse(ddi.configData, req, res);
      if (!data) return;
      await putConfigData(o.deps, device(res).deviceId, data);
      changed(res);
      res.status(200).end();
    }));

    r.get(`${P}/deploymentBase/:actionId`, authed, wrap(async (req, res) => {
      const n = id(req, res);
      if (n === null) return;
      const view = await deploymentFor(o.deps, device(res).deviceId, n, historyCount(req));
      body.sendJson(req, res, body.deploymentBase(baseUrl(req), view));
    }));

    r.post(`${P}/deploymentBase/:actionId/feedback`, authed, needsJson, json, wrap(async (req, res) => {
      const fb = parse(ddi.actionFeedback, req, res);
      if (!fb) return;
      const n = id(req, res);
      if (n === null) return;
      await postDeploymentFeedback(o.deps, device(res).deviceId, n, fb);
      changed(res);
      res.status(200).end();
    }));

    r.get(`${P}/cancelAction/:actionId`, authed, wrap(async (req, res) => {
      const n = id(req, res);
      if (n === null) return;
      const a = await cancelFor(o.deps, device(res).deviceId, n);
      body.sendJson(req, res, body.cancel(a.id));
    }));

    r.post(`${P}/cancelAction/:actionId/feedback`, authed, needsJson, json, wrap(async (req, res) => {
      const fb = parse(ddi.actionFeedback, req, res);
      if (!fb) return;
      const n = id(req, res);
      if (n === null) return;
      await postCancelFeedback(o.deps, device(res).deviceId, n, fb);
      changed(res);
      res.status(200).end();
    }));

    r.get(`${P}/installedBase/:actionId`, authed, wrap(async (req, res) => {
      const n = id(req, res);
      if (n === null) return;
      const view = await installedFor(o.deps, device(res).deviceId, n, historyCount(req));
      body.sendJson(req, res, body.deploymentBase(baseUrl(req), view));
    }));

    const moduleId = (req: Request, res: Response): number | null => {
      const n = actionId((req.params as { moduleId: string }).moduleId);
      if (n === null) res.status(404).end();
      return n;
    };

    // GET also answers HEAD in Express.
    r.get(`${P}/softwaremodules/:moduleId/artifacts`, authed, wrap(async (req, res) => {
      const m = moduleId(req, res);
      if (m === null) return;
      const release = await assignedModule(o.deps, device(res).deviceId, m);
      const moduleBase = `${baseUrl(req)}/softwaremodules/${release.moduleId}/artifacts`;
      body.sendJson(req, res, release.artifacts.map((ra) => body.artifact(moduleBase, ra.artifact)));
    }));

    r.get(`${P}/softwaremodules/:moduleId/artifacts/:fileName`, authed, wrap(async (req, res) => {
      const m = moduleId(req, res);
      if (m === null) return;
      const release = await assignedModule(o.deps, device(res).deviceId, m);
      const fileName = (req.params as { fileName: string }).fileName;
      const md5 = fileName.endsWith('.MD5SUM');
      const name = md5 ? fileName.slice(0, -'.MD5SUM'.length) : fileName;
      const found = release.artifacts.find((ra) => ra.artifact.filename === name)?.artifact;
      if (!found) return void res.status(404).end();
      if (md5) {
        res.status(200).type('text/plain').send(`${found.md5}  ${found.filename}`);
        return;
      }
      await sendArtifact(req, res, found, o.storage, o.log);
    }));

    // Malformed JSON bodies are the device's mistake: 400, empty body.
    r.use((err: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(err);
      if (err.status && err.status >= 400 && err.status < 500) return void res.status(err.status).end();
      fail(res, o.log, err);
    });
    return r;
  }
}

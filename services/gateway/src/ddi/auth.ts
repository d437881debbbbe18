import type { NextFunction, Request, Response } from 'express';
import type { CoreDeps } from '@warden/core';
import { authenticateGateway, controllerView, resolveGatewayController, TokenPollBatcher, type ControllerView, type ControllerViewCache } from '@warden/core/ddi';
import { authenticateDevice } from '@warden/core/device-auth';
import { isWardenError } from '@warden/core';
import { STORABLE_TEXT } from '@warden/contracts';
import type { AuthFailureGuard } from '../http/rate-limit.js';

/** The controller a request acts for, once authenticated. */
export interface DdiDevice {
  deviceId: string;
  controllerId: string;
}

const TARGET = /^TargetToken ([^\s]+)$/;
const GATEWAY = /^GatewayToken ([^\s]+)$/;

/**
 * Successful token checks are kept for a few seconds: devices poll often, and a revoked token
 * stops working within `ttlMs` (a cache of 0 ms checks every request), or at once when
 * containment evicts its device ({@link DdiTokenCache.evict}).
 */
export class DdiTokenCache {
  private entries = new Map<string, { value: DdiDevice; until: number }>();
  /** Bumped by every eviction: a check that started before one is not cached. */
  generation = 0;
  constructor(
    private readonly ttlMs: number,
    private readonly max = 100_000,
  ) {}
  /** Forgets the devices' token checks (`'all'`: every one). */
  evict(deviceIds: Iterable<string> | 'all'): void {
    this.generation++;
    if (deviceIds === 'all') return this.entries.clear();
    const ids = new Set(deviceIds);
    for (const [key, e] of this.entries) if (ids.has(e.value.deviceId)) this.entries.delete(key);
  }
  get(key: string): DdiDevice | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: DdiDevice, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.generation) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }
}

/** Authentication failures are a null (401); anything else is a real error. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isWardenError(err) && err.code === 'UNAUTHENTICATED') return null;
    throw err;
  }
}

/**
 * DDI authentication: `TargetToken` (the device's own token, for its own controller id only) or
 * `GatewayToken` (any controller of the tenant; an unknown one is registered on its first poll).
 * Every failure is a 401 with an empty body, whatever the reason; a client IP past its limit of
 * failures gets 429 with Retry-After before its credentials are checked.
 */
export function ddiAuth(deps: CoreDeps, opts: { tenant: string; cacheMs: number; views: ControllerViewCache; tokens?: DdiTokenCache; failures?: AuthFailureGuard }) {
  const { views } = opts;
  const cache = opts.tokens ?? new DdiTokenCache(opts.cacheMs);
  const tokenPolls = new TokenPollBatcher(deps);
  const tenant = opts.tenant.toLowerCase();
  const params = (req: Request) => req.params as { tenant: string; controllerId: string };
  const cacheKey = (req: Request) => `${req.header('authorization') ?? ''}\u0000${params(req).controllerId}`;

  /** The device a request acts for, or null (deny). */
  async function identify(req: Request, isPoll: boolean): Promise<DdiDevice | null> {
    const p = params(req);
    // No controller id holds a NUL or a lone surrogate (Postgres refuses them): not a device of ours.
    if (p.tenant.toLowerCase() !== tenant || !STORABLE_TEXT.test(p.controllerId)) return null;
    const key = cacheKey(req);
    const cached = cache.get(key);
    if (cached) return cached;
    const generation = cache.generation;
    const header = req.header('authorization') ?? '';
    let d: DdiDevice | null = null;
    const target = TARGET.exec(header);
    const gateway = target ? null : GATEWAY.exec(header);
    if (target) {
      const principal = await orNull(authenticateDevice(deps, { scheme: 'TargetToken', token: target[1]! }));
      if (principal?.kind === 'device' && principal.controllerId === p.controllerId) d = { deviceId: principal.deviceId, controllerId: principal.controllerId };
    } else if (gateway) {
      const gw = await authenticateGateway(deps, gateway[1]!);
      if (gw) {
        // A DDI gateway token; only the base poll registers a controller, the rest needs a known one.
        const device = await resolveGatewayController(deps, gw, p.controllerId, isPoll);
        if (device) d = { deviceId: device.id, controllerId: device.controllerId };
      } else {
        // A site gateway's token (device-auth): speaks for known devices of its site.
        const principal = await orNull(authenticateDevice(deps, { scheme: 'GatewayToken', token: gateway[1]! }));
        if (principal?.kind === 'gateway') {
          const device = await deps.db.device.findUnique({ where: { controllerId: p.controllerId }, select: { id: true, controllerId: true, status: true, segment: { select: { siteId: true } } } });
          if (device && device.status !== 'RETIRED' && (principal.siteId === null || device.segment?.siteId === principal.siteId)) {
            d = { deviceId: device.id, controllerId: device.controllerId };
          }
        }
      }
    }
    if (d) cache.set(key, d, generation);
    return d;
  }

  const ipOf = (req: Request) => req.ip ?? 'unknown';
  const tooMany = (res: Response, wait: number) => {
    res.setHeader('Retry-After', String(wait));
    res.status(429).end();
  };
  /** Answers 429 for a client IP past its limit of failed authentications; true when it did. */
  const blocked = (req: Request, res: Response): boolean => {
    const wait = opts.failures?.retryAfter(ipOf(req)) ?? 0;
    if (wait) tooMany(res, wait);
    return wait > 0;
  };
  /** Answers a failed authentication: 401, or 429 once it takes the client IP past its limit. */
  const deny = async (req: Request, res: Response): Promise<void> => {
    const wait = (await opts.failures?.failed(ipOf(req))) ?? 0;
    if (wait) tooMany(res, wait);
    else res.status(401).end();
  };

  return {
    blocked,
    deny,
    /** Middleware for every endpoint but the poll: sets `res.locals.device` or answers 401 (429 past the failure limit). */
    middleware: (req: Request, res: Response, next: NextFunction) => {
      if (blocked(req, res)) return;
      identify(req, false).then(
        async (d) => {
          if (!d) return deny(req, res);
          res.locals.device = d;
          next();
        },
        (err: unknown) => next(err),
      );
    },
    /**
     * The poll, the hottest request: a device token not in the cache is checked in the same round
     * trip that reads the device's next action, shared with the other polls arriving meanwhile.
     */
    async poll(req: Request): Promise<{ device: DdiDevice; view: ControllerView } | null> {
      const p = params(req);
      if (p.tenant.toLowerCase() !== tenant) return null;
      const key = cacheKey(req);
      const cached = cache.get(key);
      const target = cached ? null : TARGET.exec(req.header('authorization') ?? '');
      if (target) {
        const generation = cache.generation;
        const started = views.mark();
        const r = await tokenPolls.poll(target[1]!);
        if (!r || r.controllerId !== p.controllerId) return null;
        const device = { deviceId: r.deviceId, controllerId: r.controllerId };
        cache.set(key, device, generation);
        views.offer(device.deviceId, r.view, started);
        return { device, view: r.view };
      }
      const device = cached ?? (await identify(req, true));
      return device ? { device, view: await views.get(device.deviceId, () => controllerView(deps, device.deviceId)) } : null;
    },
  };
}

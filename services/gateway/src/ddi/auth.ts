import type { NextFunction, Request, Response } from 'express';
import type { CoreDeps } from '@warden/core';
import { authenticateGateway, resolveGatewayController } from '@warden/core/ddi';
import { authenticateDevice } from '@warden/core/device-auth';

/** The controller a request acts for, once authenticated. */
export interface DdiDevice {
  deviceId: string;
  controllerId: string;
}

const TARGET = /^TargetToken ([^\s]+)$/;
const GATEWAY = /^GatewayToken ([^\s]+)$/;

/**
 * Successful token checks are kept for a few seconds: devices poll often, and a revoked token
 * stops working within `ttlMs` (a cache of 0 ms checks every request).
 */
class TokenCache {
  private entries = new Map<string, { value: DdiDevice; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 100_000,
  ) {}
  get(key: string): DdiDevice | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: DdiDevice): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }
}

/**
 * DDI authentication: `TargetToken` (the device's own token, for its own controller id only) or
 * `GatewayToken` (any controller of the tenant; an unknown one is registered on its first poll).
 * Every failure is a 401 with an empty body, whatever the reason.
 */
export function ddiAuth(deps: CoreDeps, opts: { tenant: string; cacheMs: number }) {
  const cache = new TokenCache(opts.cacheMs);
  const tenant = opts.tenant.toLowerCase();
  return async (req: Request, res: Response, next: NextFunction) => {
    const params = req.params as { tenant: string; controllerId: string };
    const header = req.header('authorization') ?? '';
    const deny = () => void res.status(401).end();
    if (params.tenant.toLowerCase() !== tenant) return deny();
    const cacheKey = `${header}\u0000${params.controllerId}`;
    const cached = cache.get(cacheKey);
    if (cached) {
      res.locals.device = cached;
      return next();
    }
    const target = TARGET.exec(header);
    if (target) {
      const device = await authenticateDevice(deps, target[1]!);
      if (!device || device.controllerId !== params.controllerId) return deny();
      const d = { deviceId: device.deviceId, controllerId: device.controllerId };
      cache.set(cacheKey, d);
      res.locals.device = d;
      return next();
    }
    const gateway = GATEWAY.exec(header);
    if (gateway) {
      const gw = await authenticateGateway(deps, gateway[1]!);
      if (!gw) return deny();
      // Only the base poll registers a controller; everything else needs a known one.
      const isPoll = req.method === 'GET' && /\/controller\/v1\/[^/]+\/?$/.test(req.path);
      const device = await resolveGatewayController(deps, gw, params.controllerId, isPoll);
      if (!device) return deny();
      const d = { deviceId: device.id, controllerId: device.controllerId };
      cache.set(cacheKey, d);
      res.locals.device = d;
      return next();
    }
    return deny();
  };
}

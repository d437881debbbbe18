import express, { Router, type Request, type Response } from 'express';
import { telemetryBatchSchema, toFieldErrors } from '@warden/contracts';
import {
  ingestTelemetry,
  parseDeviceAuthorization,
  rejectUnreadable,
  UnauthenticatedError,
  type DeviceAuthenticator,
  type DevicePrincipal,
  type DlqPublisher,
  type IngestResult,
  type TelemetryPublisher,
} from '@warden/core';
import type { Counter, Logger } from '@warden/runtime';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { sendError } from '../http/errors.js';
import { limit, limitByIp, type AuthFailureGuard } from '../http/rate-limit.js';

export interface TelemetryRoutesDeps {
  authenticator: DeviceAuthenticator;
  telemetry: TelemetryPublisher;
  dlq: DlqPublisher;
  log: Logger;
  limits: { ip: RateLimiterAbstract; device: RateLimiterAbstract; gateway: RateLimiterAbstract; authFailures: AuthFailureGuard };
  bodyLimit: string;
  maxBatch: number;
  maxClockSkewMs: number;
  counters: { messages: Counter<'via' | 'outcome'> };
}

/** Status for a batch: 202 when every message was taken, else the most telling 4xx. */
export function statusFor(result: IngestResult): number {
  if (!result.rejected.length) return 202;
  return result.rejected.some((r) => r.reason === 'FORBIDDEN') ? 403 : 422;
}

/**
 * `POST /device/v1/telemetry`: a batch of telemetry.v1 messages, `{ "messages": [...] }` (or a bare
 * array), authenticated with `Authorization: TargetToken <device token>` or
 * `GatewayToken <gateway token>`. Valid messages are stored even when others in the batch are
 * refused (the answer lists those by index); sending a batch again is harmless.
 */
export function telemetryRoutes(deps: TelemetryRoutesDeps): Router {
  const router = Router();
  const json = express.json({ limit: deps.bodyLimit, type: () => true });
  const dlqQuietly = (input: Parameters<typeof rejectUnreadable>[1]) =>
    rejectUnreadable(deps.dlq, input).catch((err: unknown) => deps.log.warn({ err }, 'could not record a refused request in the DLQ'));

  router.post('/device/v1/telemetry', limitByIp(deps.limits.ip), async (req: Request, res: Response) => {
    const receivedAt = new Date();
    const sourceIp = req.ip ?? undefined;
    const base = { via: 'http' as const, receivedAt, ...(sourceIp ? { sourceIp } : {}) };
    const ip = sourceIp ?? 'unknown';
    const tooManyFailures = (wait: number) => {
      deps.counters.messages.inc({ via: 'http', outcome: 'auth_failures_limited' });
      res.setHeader('retry-after', String(wait));
      res.status(429).json({ error: { code: 'RATE_LIMITED', message: `too many failed authentications from this address; retry in ${wait} s` } });
    };
    const blockedFor = deps.limits.authFailures.retryAfter(ip);
    if (blockedFor) return tooManyFailures(blockedFor);

    let principal: DevicePrincipal;
    try {
      const creds = parseDeviceAuthorization(req.header('authorization'));
      if (!creds) throw new UnauthenticatedError('send Authorization: TargetToken <device token> or GatewayToken <gateway token>');
      principal = await deps.authenticator.authenticate(creds);
    } catch (err) {
      if (err instanceof UnauthenticatedError) {
        const wait = await deps.limits.authFailures.failed(ip);
        if (wait) return tooManyFailures(wait);
        deps.counters.messages.inc({ via: 'http', outcome: 'unauthenticated' });
        void dlqQuietly({ ...base, reason: 'UNAUTHENTICATED', message: err.message });
      }
      res.setHeader('www-authenticate', 'TargetToken, GatewayToken');
      return sendError(res, err, deps.log);
    }

    const limiter = principal.kind === 'device' ? deps.limits.device : deps.limits.gateway;
    if (!(await limit(limiter, principal.credentialId, res))) return;

    const body = await new Promise<{ ok: true; value: unknown } | { ok: false; status: number; type?: string; raw?: string }>((resolve) =>
      json(req, res, (err?: unknown) => {
        if (!err) return resolve({ ok: true, value: req.body as unknown });
        const e = err as { status?: number; type?: string; body?: string };
        resolve({ ok: false, status: e.status ?? 400, ...(e.type ? { type: e.type } : {}), ...(e.body ? { raw: e.body } : {}) });
      }),
    );
    const deviceId = principal.kind === 'device' ? principal.deviceId : undefined;
    if (!body.ok) {
      const tooLarge = body.type === 'entity.too.large';
      const message = tooLarge ? `request body larger than ${deps.bodyLimit}` : 'request body is not valid JSON';
      deps.counters.messages.inc({ via: 'http', outcome: tooLarge ? 'too_large' : 'malformed' });
      void dlqQuietly({ ...base, reason: tooLarge ? 'TOO_LARGE' : 'MALFORMED', message, ...(deviceId ? { deviceId } : {}), ...(body.raw ? { payload: body.raw } : {}) });
      res.status(tooLarge ? 413 : 400).json({ error: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT', message } });
      return;
    }

    const envelope = telemetryBatchSchema.safeParse(Array.isArray(body.value) ? { messages: body.value } : body.value);
    if (!envelope.success || envelope.data.messages.length > deps.maxBatch) {
      const errors = envelope.success
        ? [{ path: 'messages', message: `at most ${deps.maxBatch} messages per batch` }]
        : toFieldErrors(envelope.error);
      const message = `${errors[0]!.path}: ${errors[0]!.message}`;
      deps.counters.messages.inc({ via: 'http', outcome: 'invalid' });
      void dlqQuietly({ ...base, reason: 'INVALID', message, ...(deviceId ? { deviceId } : {}), payload: body.value });
      res.status(400).json({ error: { code: 'BAD_USER_INPUT', message, errors } });
      return;
    }

    try {
      const result = await ingestTelemetry(
        { authenticator: deps.authenticator, telemetry: deps.telemetry, dlq: deps.dlq, maxClockSkewMs: deps.maxClockSkewMs },
        { ...base, principal, messages: envelope.data.messages },
      );
      deps.counters.messages.inc({ via: 'http', outcome: 'accepted' }, result.accepted);
      if (result.rejected.length) deps.counters.messages.inc({ via: 'http', outcome: 'rejected' }, result.rejected.length);
      res.status(statusFor(result)).json(result);
    } catch (err) {
      sendError(res, err, deps.log);
    }
  });
  return router;
}

import express, { type Request, type Response } from 'express';
import { authenticate, isWardenError, type CoreDeps } from '@warden/core';
import { TooLargeError, uploadArtifact } from '@warden/core/firmware';
import type { Logger } from '@warden/runtime';
import { bearer, type ApiServices } from '../context.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

function artifactJson(a: Awaited<ReturnType<typeof uploadArtifact>>['artifact']) {
  return { ...a, size: Number(a.size) };
}

/**
 * REST for what GraphQL carries badly: `POST /api/v1/artifacts?filename=x.swu` streams the raw
 * body (application/octet-stream) into artifact storage, authenticated like GraphQL (Bearer), and
 * `GET /api/v1/firmware/signing-key` publishes the public key devices verify signatures with.
 */
export function artifactsRouter(o: { deps: CoreDeps; services: ApiServices; log: Logger }): express.Router {
  const r = express.Router();
  const fail = (res: Response, err: unknown) => {
    if (err instanceof TooLargeError) return void res.status(413).json({ error: { code: err.code, message: err.message } });
    if (isWardenError(err)) return void res.status(STATUS[err.code] ?? 400).json({ error: { code: err.code, message: err.message } });
    o.log.error({ err }, 'artifact upload failed');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  };

  r.post('/artifacts', async (req: Request, res: Response) => {
    try {
      const token = bearer(req.header('authorization'));
      const actor = token ? await authenticate(o.deps, token, { ip: req.ip ?? null, requestId: (res.locals.requestId as string) ?? null }) : null;
      if (!actor) return void res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'sign in or send an API key' } });
      if (!req.is('application/octet-stream')) {
        return void res.status(415).json({ error: { code: 'BAD_USER_INPUT', message: 'send the file as application/octet-stream' } });
      }
      const declared = Number(req.header('content-length'));
      if (Number.isFinite(declared) && declared > o.services.firmware.maxArtifactBytes) throw new TooLargeError(o.services.firmware.maxArtifactBytes);
      const filename = typeof req.query.filename === 'string' ? req.query.filename : '';
      const { artifact, created } = await uploadArtifact({ ...o.deps, ...o.services.firmware }, actor, { filename, body: req });
      res.status(created ? 201 : 200).json(artifactJson(artifact));
    } catch (err) {
      // Stop reading a body we refused, so the client gets the answer rather than a reset.
      req.resume();
      fail(res, err);
    }
  });

  r.get('/firmware/signing-key', (_req, res) => {
    res.json({ algorithm: 'Ed25519', keyId: o.services.firmware.signer.keyId, publicKeyPem: o.services.firmware.signer.publicKeyPem, signs: 'sha256-digest' });
  });
  return r;
}

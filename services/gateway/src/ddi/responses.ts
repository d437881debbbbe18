import { hash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ddi } from '@warden/contracts';
import type { ControllerView, DeploymentView } from '@warden/core/ddi';

/** Builds the DDI JSON bodies field for field (see DDI.md "Shapes"). */

export function controllerBase(base: string, pollSeconds: number, view: ControllerView): ddi.ControllerBase {
  const links: NonNullable<ddi.ControllerBase['_links']> = {};
  if (view.action?.canceling) links.cancelAction = { href: `${base}/cancelAction/${view.action.id}` };
  else if (view.action) links.deploymentBase = { href: `${base}/deploymentBase/${view.action.id}?c=${cacheBuster(view.action.id)}` };
  if (view.configRequested) links.configData = { href: `${base}/configData` };
  return {
    config: { polling: { sleep: ddi.formatSleep(pollSeconds) } },
    ...(Object.keys(links).length ? { _links: links } : {}),
  };
}

/** A JSON body ready to send: its text and ETag. */
export interface JsonBody {
  json: string;
  etag: string;
}

/** Bounded (about 0.5 kB an answer): past the limit it starts again empty. */
const MAX_KEPT = 20_000;
const polls = new Map<string, JsonBody>();

/**
 * The poll answer for `view`, serialized once per distinct answer: a device's answer stays the
 * same poll after poll until its action or attribute request changes.
 */
export function controllerBaseJson(base: string, pollSeconds: number, view: ControllerView): JsonBody {
  const key = `${pollSeconds} ${view.action ? `${view.action.canceling ? 'c' : 'd'}${view.action.id}` : '-'} ${view.configRequested ? 1 : 0} ${base}`;
  let body = polls.get(key);
  if (!body) {
    body = serialize(controllerBase(base, pollSeconds, view));
    if (polls.size >= MAX_KEPT) polls.clear();
    polls.set(key, body);
  }
  return body;
}

const busters = new Map<number, number>();

/** `c` only defeats caches; the server ignores it. A signed 32-bit number, as hawkBit sends. */
function cacheBuster(actionId: number): number {
  let c = busters.get(actionId);
  if (c === undefined) {
    c = hash('sha1', String(actionId), 'buffer').readInt32BE(0);
    if (busters.size >= MAX_KEPT) busters.clear();
    busters.set(actionId, c);
  }
  return c;
}

export function deploymentBase(base: string, v: DeploymentView): ddi.DeploymentBase {
  const handling: ddi.HandlingType = v.action.forced ? 'forced' : 'attempt';
  const moduleBase = `${base}/softwaremodules/${v.release.moduleId}/artifacts`;
  return {
    id: String(v.action.id),
    deployment: {
      download: handling,
      update: v.maintenanceWindow === 'unavailable' ? 'skip' : handling,
      ...(v.maintenanceWindow ? { maintenanceWindow: v.maintenanceWindow } : {}),
      chunks: [
        {
          part: v.release.part,
          version: v.release.version,
          name: v.release.name,
          artifacts: v.artifacts.map((a) => artifact(moduleBase, a)),
        },
      ],
    },
    ...(v.history ? { actionHistory: v.history } : {}),
  };
}

export function artifact(
  moduleBase: string,
  a: { filename: string; sha1: string; md5: string; sha256: string; size: bigint; signature?: string; signingKeyId?: string },
): ddi.DdiArtifact {
  const href = `${moduleBase}/${encodeURIComponent(a.filename)}`;
  return {
    filename: a.filename,
    hashes: { sha1: a.sha1.toLowerCase(), md5: a.md5.toLowerCase(), sha256: a.sha256.toLowerCase() },
    size: Number(a.size),
    ...(a.signature ? { signature: { algorithm: 'Ed25519' as const, keyId: a.signingKeyId ?? '', value: a.signature } } : {}),
    _links: { download: { href }, 'download-http': { href }, md5sum: { href: `${href}.MD5SUM` }, 'md5sum-http': { href: `${href}.MD5SUM` } },
  };
}

export function cancel(actionId: number): ddi.Cancel {
  return { id: String(actionId), cancelAction: { stopId: String(actionId) } };
}

export function serialize(body: unknown): JsonBody {
  const json = JSON.stringify(body);
  return { json, etag: `"${hash('sha1', json, 'base64url')}"` };
}

/** Sends JSON with an ETag, answering a matching If-None-Match with 304. */
export function sendJson(req: Request, res: Response, body: unknown): void {
  sendSerialized(req, res, serialize(body));
}

/**
 * Sends a serialized JSON body with its ETag (a matching If-None-Match gets 304). Written
 * directly rather than through `res.send`, which would parse the content type again and compute
 * freshness the ETag check already decided; the headers are the same.
 */
export function sendSerialized(req: Request, res: Response, { json, etag }: JsonBody): void {
  res.setHeader('ETag', etag);
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  if (req.method === 'HEAD') res.end();
  else res.end(json);
}

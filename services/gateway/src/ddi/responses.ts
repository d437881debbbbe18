import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ddi } from '@warden/contracts';
import type { DeploymentView } from '@warden/core/ddi';

/** Builds the DDI JSON bodies field for field (see DDI.md "Shapes"). */

export function controllerBase(base: string, pollSeconds: number, view: { action: { id: number; canceling: boolean } | null; configRequested: boolean }): ddi.ControllerBase {
  const links: NonNullable<ddi.ControllerBase['_links']> = {};
  if (view.action?.canceling) links.cancelAction = { href: `${base}/cancelAction/${view.action.id}` };
  else if (view.action) links.deploymentBase = { href: `${base}/deploymentBase/${view.action.id}?c=${cacheBuster(view.action.id)}` };
  if (view.configRequested) links.configData = { href: `${base}/configData` };
  return {
    config: { polling: { sleep: ddi.formatSleep(pollSeconds) } },
    ...(Object.keys(links).length ? { _links: links } : {}),
  };
}

/** `c` only defeats caches; the server ignores it. A signed 32-bit number, as hawkBit sends. */
function cacheBuster(actionId: number): number {
  return createHash('sha1').update(String(actionId)).digest().readInt32BE(0);
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

export function artifact(moduleBase: string, a: { filename: string; sha1: string; md5: string; sha256: string; size: bigint }): ddi.DdiArtifact {
  const href = `${moduleBase}/${encodeURIComponent(a.filename)}`;
  return {
    filename: a.filename,
    hashes: { sha1: a.sha1.toLowerCase(), md5: a.md5.toLowerCase(), sha256: a.sha256.toLowerCase() },
    size: Number(a.size),
    _links: { download: { href }, 'download-http': { href }, md5sum: { href: `${href}.MD5SUM` }, 'md5sum-http': { href: `${href}.MD5SUM` } },
  };
}

export function cancel(actionId: number): ddi.Cancel {
  return { id: String(actionId), cancelAction: { stopId: String(actionId) } };
}

/** Sends JSON with an ETag, answering a matching If-None-Match with 304. */
export function sendJson(req: Request, res: Response, body: unknown): void {
  const json = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(json).digest('base64url')}"`;
  res.setHeader('ETag', etag);
  const inm = req.header('if-none-match');
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json').send(json);
}

import type { KeyObject } from 'node:crypto';
import type { ddi } from '@warden/contracts';
import type { VirtualDevice } from '../device.js';
import type { GatewayHttp } from '../http.js';
import { jitter, stream } from '../rng.js';
import type { Scheduler } from '../scheduler.js';
import { verifyArtifact } from './verify.js';

/**
 * The update agent of a virtual device, speaking hawkBit DDI the way SWUpdate's suricatta does:
 * poll, follow the link it is given verbatim, download, verify, install, report. Whether an
 * update succeeds, fails or goes silent is drawn from the seed per device and action.
 */
export interface UpdateSettings {
  /** Share of updates that end in closed/failure. */
  failureRate: number;
  /** Share of updates after which the device never speaks again (bricked). */
  silenceRate: number;
  /** Mean install time in seconds (±50 %). */
  installSeconds: number;
}

export interface UpdateStats {
  polls: number;
  pollErrors: number;
  unauthorized: number;
  deployments: number;
  downloads: number;
  installed: number;
  failed: number;
  silent: number;
  verifyFailed: number;
  canceled: number;
  deferred: number;
  /** Feedback the server refused because the action had closed (410: timed out or canceled meanwhile). */
  closedMeanwhile: number;
}

export const emptyUpdateStats = (): UpdateStats => ({
  polls: 0,
  pollErrors: 0,
  unauthorized: 0,
  deployments: 0,
  downloads: 0,
  installed: 0,
  failed: 0,
  silent: 0,
  verifyFailed: 0,
  canceled: 0,
  deferred: 0,
  closedMeanwhile: 0,
});

export interface DdiAgentDeps {
  http: GatewayHttp;
  scheduler: Scheduler;
  tenant: string;
  /** The firmware key devices trust; null: signatures are not checked. */
  key: KeyObject | null;
  seed: number;
  updates: UpdateSettings;
  stats: UpdateStats;
  /** The device flashed `version` and rebooted into it. */
  onInstalled(device: VirtualDevice, version: string, sha256: string): void;
  /** The device went silent for good. */
  onBricked(device: VirtualDevice): void;
}

/** `HH:MM:SS` → ms (a bad value keeps the current interval). */
export function parseSleep(sleep: string | undefined, fallbackMs: number): number {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(sleep ?? '');
  if (!m) return fallbackMs;
  const s = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return s > 0 ? s * 1000 : fallbackMs;
}

const feedback = (execution: ddi.Execution, finished: ddi.Finished, details: string[], progress?: { cnt: number; of: number }) =>
  JSON.stringify({ timestamp: Date.now(), status: { execution, result: { finished, ...(progress ? { progress } : {}) }, details } });

export function createDdiAgent(deps: DdiAgentDeps) {
  const { http, stats } = deps;
  const auth = (d: VirtualDevice) => ({ authorization: `TargetToken ${d.token}`, accept: 'application/json' });
  const base = (d: VirtualDevice) => `/${deps.tenant}/controller/v1/${encodeURIComponent(d.controllerId)}`;

  async function send(d: VirtualDevice, url: string, body: string): Promise<number> {
    const res = await http.request('POST', url, { ...auth(d), 'content-type': 'application/json' }, body);
    if (res.status === 410) stats.closedMeanwhile++;
    return res.status;
  }

  async function poll(d: VirtualDevice): Promise<void> {
    stats.polls++;
    const res = await http.request('GET', base(d), auth(d));
    if (res.status === 401 || res.status === 403) {
      stats.unauthorized++;
      return;
    }
    if (res.status !== 200) {
      stats.pollErrors++;
      return;
    }
    const body = JSON.parse(res.body.toString('utf8')) as ddi.ControllerBase;
    d.rt.pollMs = parseSleep(body.config?.polling?.sleep, d.rt.pollMs);
    const links = body._links ?? {};
    if (links.configData) {
      const data = { serial: d.serial, model: d.model, hwRevision: '1', agent: 'warden-simulator' };
      await http.request('PUT', links.configData.href, { ...auth(d), 'content-type': 'application/json' }, JSON.stringify({ mode: 'merge', data }));
    }
    if (links.cancelAction) return cancel(d, links.cancelAction.href);
    if (links.deploymentBase) {
      const id = /\/deploymentBase\/(\d+)/.exec(links.deploymentBase.href)?.[1];
      if (id && d.rt.action?.id !== id) await deploy(d, links.deploymentBase.href, id);
    }
  }

  async function cancel(d: VirtualDevice, href: string): Promise<void> {
    const res = await http.request('GET', href, auth(d));
    if (res.status !== 200) return;
    // Whatever was being installed is abandoned; the install timer sees the action changed.
    d.rt.action = null;
    stats.canceled++;
    await send(d, `${href}/feedback`, feedback('closed', 'success', ['Update canceled.']));
  }

  async function deploy(d: VirtualDevice, href: string, id: string): Promise<void> {
    const res = await http.request('GET', href, auth(d));
    if (res.status !== 200) return;
    const dep = JSON.parse(res.body.toString('utf8')) as ddi.DeploymentBase;
    if (dep.deployment.update === 'skip') {
      // Outside the maintenance window: ask again at the next poll.
      stats.deferred++;
      return;
    }
    stats.deployments++;
    const action = { id };
    d.rt.action = action;
    const fb = `${base(d)}/deploymentBase/${id}/feedback`;
    const roll = stream(deps.seed, 'update', d.index, id)();
    if (roll < deps.updates.silenceRate) {
      stats.silent++;
      deps.onBricked(d);
      return;
    }
    const fails = roll < deps.updates.silenceRate + deps.updates.failureRate;
    await send(d, fb, feedback('download', 'none', ['Downloading artifacts.']));
    const chunk = dep.deployment.chunks[0];
    let sha256 = '';
    for (const c of dep.deployment.chunks) {
      for (const a of c.artifacts) {
        const file = await http.request('GET', a._links.download.href, { authorization: `TargetToken ${d.token}`, accept: 'application/octet-stream' });
        stats.downloads++;
        if (file.status !== 200) {
          stats.failed++;
          await send(d, fb, feedback('closed', 'failure', [`Download of ${a.filename} failed: HTTP ${file.status}`]));
          return;
        }
        const verdict = verifyArtifact(file.body, a, deps.key);
        if (!verdict.ok) {
          stats.verifyFailed++;
          stats.failed++;
          await send(d, fb, feedback('closed', 'failure', [`Refused ${a.filename}: ${verdict.reason}`]));
          return;
        }
        sha256 ||= verdict.sha256;
      }
    }
    await send(d, fb, feedback('proceeding', 'none', ['Installing Update Chunk Artifacts.'], { cnt: 1, of: 2 }));
    const installMs = jitter(stream(deps.seed, 'install', d.index, id), deps.updates.installSeconds * 1000, 0.5);
    deps.scheduler.after(installMs, () => {
      if (d.rt.action !== action || !d.rt.online) return;
      void finish(d, fb, fails, chunk?.version ?? d.rt.firmware, sha256).catch(() => void stats.pollErrors++);
    });
  }

  async function finish(d: VirtualDevice, fb: string, fails: boolean, version: string, sha256: string): Promise<void> {
    if (fails) {
      stats.failed++;
      await send(d, fb, feedback('closed', 'failure', ['Installation failed: image did not boot, rolled back.']));
      return;
    }
    // The device flashes, reboots into the new image, then reports (as suricatta does after a restart).
    deps.onInstalled(d, version, sha256);
    stats.installed++;
    await send(d, fb, feedback('closed', 'success', ['Update Installed.'], { cnt: 2, of: 2 }));
  }

  return { poll };
}

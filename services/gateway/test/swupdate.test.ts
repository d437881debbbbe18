import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { createRelease, uploadArtifact } from '@warden/core/firmware';
import { createRollout, evaluateRollout, startRollout } from '@warden/core/rollouts';
import { eventually, startHarness, type Harness } from './harness.js';

/**
 * The real hawkBit agent: Debian's SWUpdate with its suricatta DDI client (installed by the
 * bootstrap), unchanged, against Warden's gateway. It polls, follows the deployment link, reports
 * its attributes, downloads the image (HEAD, then GET), verifies the image's CMS signature, installs
 * it, and — once "rebooted" — reports the outcome, which moves the action and the device.
 */
describe('SWUpdate (suricatta) as the device agent', () => {
  let h: Harness;
  let dir: string;
  let payload: Buffer;
  let rolloutId: string;
  const agents: ChildProcess[] = [];
  const output: string[] = [];

  /** A signed .swu as SWUpdate builds are configured to accept: CMS-signed sw-description, a rawfile image. */
  async function buildImage(version: string, signer = 'cert'): Promise<string> {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${signer}.key`, '-out', `${signer}.pem`, '-days', '2', '-subj', `/CN=warden-test-${signer}`, '-addext', 'extendedKeyUsage=emailProtection');
    payload = randomBytes(64 * 1024);
    await writeFile(path.join(dir, 'payload.bin'), payload);
    const sha256 = createHash('sha256').update(payload).digest('hex');
    await writeFile(
      path.join(dir, 'sw-description'),
      `software =\n{\n  version = "${version}";\n  hardware-compatibility: [ "1.0" ];\n  images: (\n    {\n      filename = "payload.bin";\n      type = "rawfile";\n      path = "${path.join(dir, 'installed.bin')}";\n      sha256 = "${sha256}";\n    }\n  );\n}\n`,
    );
    openssl('cms', '-sign', '-in', 'sw-description', '-signer', `${signer}.pem`, '-inkey', `${signer}.key`, '-outform', 'DER', '-nosmimecap', '-binary', '-out', 'sw-description.sig');
    const image = path.join(dir, `hub-${version}.swu`);
    execFileSync('sh', ['-c', `printf 'sw-description\\nsw-description.sig\\npayload.bin\\n' | cpio -o -H crc > ${JSON.stringify(image)}`], { cwd: dir, stdio: 'pipe' });
    return image;
  }

  /** Runs the agent as a device would: its own config file, its own token, the gateway's URL. */
  function startAgent(extra: string): ChildProcess {
    const device = h.fleet.devices[0]!;
    const cfg = path.join(dir, 'swupdate.cfg');
    const body = `globals :\n{\n  public-key-file = "${path.join(dir, 'cert.pem')}";\n};\nidentify : (\n  { name = "board"; value = "hub-rev2"; }\n);\nsuricatta :\n{\n  tenant = "default";\n  id = "${device.controllerId}";\n  url = "${h.url}";\n  polldelay = 1;\n  targettoken = "${device.token}";\n  enable = true;\n};\n`;
    execFileSync('sh', ['-c', `cat > ${JSON.stringify(cfg)}`], { input: body });
    const agent = spawn('stdbuf', ['-oL', '-eL', 'swupdate', '-f', cfg, '-H', 'board:1.0', '-l', '4', '-u', extra], { cwd: dir, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    agent.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    agent.on('error', (err) => output.push(`could not start swupdate: ${err.message}\n`));
    agent.on('exit', (code, signal) => output.push(`swupdate exited (${signal ?? code})\n`));
    agents.push(agent);
    return agent;
  }

  async function stopAgent(agent: ChildProcess): Promise<void> {
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    const t = setTimeout(() => agent.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }

  /** A failure says what the agent printed, the first thing to read when it disagrees with the server. */
  const withAgentLog = (err: Error): never => {
    err.message += `; swupdate said:\n${output.join('').split('\n').filter((l) => !/lua|no file/.test(l)).slice(-60).join('\n')}`;
    throw err;
  };
  const action = (id = rolloutId) => h.deps.db.updateAction.findFirstOrThrow({ where: { rolloutId: id }, include: { history: { orderBy: { id: 'asc' } } } });

  /** A release of `image` for the device, rolled out to it now. */
  async function rollOut(version: string, image: string): Promise<string> {
    const { artifact } = await uploadArtifact(h.fleet.firmware, SYSTEM_ACTOR, { filename: `hub-${version}.swu`, body: createReadStream(image) });
    const release = await createRelease(h.fleet.firmware, SYSTEM_ACTOR, { modelId: h.fleet.modelId, version, artifactIds: [artifact.id], notes: 'SWUpdate image' });
    const rollout = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: `swupdate ${version}`,
      releaseId: release.id,
      filter: { deviceIds: [h.fleet.devices[0]!.id] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
      forced: true,
    });
    await startRollout(h.deps, SYSTEM_ACTOR, rollout.id);
    await evaluateRollout(h.deps, rollout.id);
    return rollout.id;
  }

  beforeAll(async () => {
    // The agent sends its attributes on one poll and starts the deployment on the next: poll often.
    h = await startHarness(1, { DDI_POLL_SECONDS: '1' });
    dir = await mkdtemp(path.join(tmpdir(), 'warden-swupdate-'));
    rolloutId = await rollOut('2.0.0', await buildImage('2.0.0'));
  });

  afterAll(async () => {
    for (const a of agents) await stopAgent(a);
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('polls, downloads the image, verifies its signature and installs it, reporting progress', async () => {
    const agent = startAgent('');
    try {
      // Installed: the file the image carries is on "disk", byte for byte.
      await eventually(async () => (await readFile(path.join(dir, 'installed.bin')).catch(() => null))?.equals(payload), 30_000, 'the image installed').catch(withAgentLog);
      const a = await eventually(async () => {
        const x = await action();
        return x.history.some((s) => s.status === 'RUNNING' || s.status === 'DOWNLOADED') ? x : null;
      }, 10_000, 'the progress feedback');
      expect(a.status).not.toBe('FINISHED'); // not before the device restarts into it
      // The agent reported the attributes its config identifies, as the server asked.
      const device = await h.deps.db.device.findUniqueOrThrow({ where: { id: h.fleet.devices[0]!.id } });
      expect(device.attributes).toMatchObject({ board: 'hub-rev2' });
    } finally {
      await stopAgent(agent);
    }
  });

  it('after the restart, reports the update installed: the action succeeds and the device runs the new version', async () => {
    // `-c 2`: the state SWUpdate keeps across the reboot says the update was installed.
    const agent = startAgent('-c 2');
    try {
      const a = await eventually(async () => {
        const x = await action();
        return x.status === 'FINISHED' ? x : null;
      }, 30_000, 'the closing feedback').catch(withAgentLog);
      expect(a.finishedAt).not.toBeNull();
      const device = await h.deps.db.device.findUniqueOrThrow({ where: { id: h.fleet.devices[0]!.id } });
      expect(device.firmwareVersion).toBe('2.0.0');
      // Nothing is left for it: its next polls carry no deployment link.
      const poll = await fetch(`${h.url}/default/controller/v1/${h.fleet.devices[0]!.controllerId}`, { headers: { authorization: `TargetToken ${h.fleet.devices[0]!.token}`, accept: 'application/json' } });
      expect(((await poll.json()) as { _links?: Record<string, unknown> })._links?.deploymentBase).toBeUndefined();
    } finally {
      await stopAgent(agent);
    }
  });

  it('refuses an image signed by a key it does not trust, installs nothing, and reports the failure', async () => {
    const untrusted = await rollOut('2.1.0', await buildImage('2.1.0', 'stranger'));
    await rm(path.join(dir, 'installed.bin'), { force: true });
    const agent = startAgent('');
    try {
      const a = await eventually(async () => {
        const x = await action(untrusted);
        return x.status === 'ERROR' ? x : null;
      }, 30_000, 'the failure feedback').catch(withAgentLog);
      expect(a.history.some((e) => e.source === 'DEVICE' && e.execution === 'closed' && e.finished === 'failure')).toBe(true);
      expect(await readFile(path.join(dir, 'installed.bin')).catch(() => null)).toBeNull();
      const device = await h.deps.db.device.findUniqueOrThrow({ where: { id: h.fleet.devices[0]!.id } });
      expect(device.firmwareVersion).toBe('2.0.0');
    } finally {
      await stopAgent(agent);
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@warden/core';
import { createGatewayToken } from '@warden/core/ddi';
import { verifyArtifactSignature } from '@warden/core/firmware';
import { createRollout, evaluateRollout, startRollout } from '@warden/core/rollouts';
import { DdiDevice } from '@warden/testing';
import { startHarness, type Harness } from './harness.js';

/** The DDI wire format, field for field, and its refusals (see DDI.md). */
describe('DDI protocol', () => {
  let h: Harness;
  let a: DdiDevice;
  let b: DdiDevice;
  let outsider: DdiDevice;
  let actionA: string;
  let deploymentHref: string;
  let artifactHref: string;
  let bytes: Buffer;

  beforeAll(async () => {
    h = await startHarness(3);
    const [da, db, dc] = h.fleet.devices;
    a = new DdiDevice(h.url, da!.controllerId, da!.token);
    b = new DdiDevice(h.url, db!.controllerId, db!.token);
    outsider = new DdiDevice(h.url, dc!.controllerId, dc!.token);
    const r = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: 'protocol',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: [da!.id, db!.id] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
      forced: false,
    });
    await startRollout(h.deps, SYSTEM_ACTOR, r.id);
    await evaluateRollout(h.deps, r.id); // no worker here: dispatch the wave directly
  });
  afterAll(() => h.close());

  it('answers a poll with HH:MM:SS sleep and the deploymentBase and configData links', async () => {
    const res = await a.poll();
    expect(res.status).toBe(200);
    const body = res.body as { config: { polling: { sleep: string } }; _links: Record<string, { href: string }> };
    expect(body.config.polling.sleep).toBe('00:00:30');
    expect(body._links.deploymentBase!.href).toMatch(new RegExp(`^${h.url}/default/controller/v1/${a.controllerId}/deploymentBase/\\d+\\?c=-?\\d+$`));
    expect(body._links.configData!.href).toBe(`${h.url}/default/controller/v1/${a.controllerId}/configData`);
    expect(body._links.cancelAction).toBeUndefined();
    deploymentHref = body._links.deploymentBase!.href;
    actionA = /deploymentBase\/(\d+)/.exec(deploymentHref)![1]!;
  });

  it('serves an ETag on JSON and answers If-None-Match with 304; tenant is case-insensitive', async () => {
    const first = await a.poll();
    const again = await a.request('GET', a.base, undefined, { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await a.request('GET', a.base.replace('/default/', '/DEFAULT/'))).status).toBe(200);
    expect((await a.request('GET', a.base.replace('/default/', '/other/'))).status).toBe(401);
  });

  it('gives the deployment with string id, lowercase enums, chunks and both download rels', async () => {
    const res = await a.request('GET', deploymentHref);
    expect(res.status).toBe(200);
    const d = res.body as {
      id: string;
      deployment: { download: string; update: string; maintenanceWindow?: string; chunks: { part: string; version: string; name: string; artifacts: Record<string, any>[] }[] };
    };
    expect(d.id).toBe(actionA);
    expect(d.deployment.download).toBe('attempt');
    expect(d.deployment.update).toBe('attempt');
    expect(d.deployment).not.toHaveProperty('maintenanceWindow');
    const chunk = d.deployment.chunks[0]!;
    expect(chunk).toMatchObject({ part: 'os', version: '1.1.0' });
    const art = chunk.artifacts[0]!;
    expect(art.filename).toBe('hub-1.1.0.swu');
    expect(art.hashes.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(art.hashes.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(art.hashes.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isInteger(art.size)).toBe(true);
    expect(art._links.download.href).toBe(art._links['download-http'].href);
    expect(art._links.md5sum.href).toBe(`${art._links.download.href}.MD5SUM`);
    artifactHref = art._links.download.href;
    const full = await fetch(artifactHref, { headers: { authorization: `TargetToken ${h.fleet.devices[0]!.token}` } });
    bytes = Buffer.from(await full.arrayBuffer());
    expect(full.status).toBe(200);
    expect(createHash('sha1').update(bytes).digest('hex')).toBe(art.hashes.sha1);
    expect(full.headers.get('etag')).toBe(`"${art.hashes.sha1}"`);
    expect(full.headers.get('content-disposition')).toBe('attachment;filename=hub-1.1.0.swu');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    // Warden's extension: the Ed25519 signature over the SHA-256 digest, checkable with the published key.
    expect(art.signature).toMatchObject({ algorithm: 'Ed25519', keyId: h.fleet.firmware.signer.keyId });
    expect(verifyArtifactSignature(h.fleet.firmware.signer.publicKeyPem, createHash('sha256').update(bytes).digest('hex'), art.signature.value)).toBe(true);
    const withHistory = await a.request('GET', `${a.base}/deploymentBase/${actionA}?actionHistory=5`);
    expect((withHistory.body as { actionHistory: { status: string; messages: string[] } }).actionHistory.status).toBe('RETRIEVED');
  });

  it('downloads with HEAD, Range (206 / 416), If-Match (412) and MD5SUM', async () => {
    const auth = { authorization: `TargetToken ${h.fleet.devices[0]!.token}` };
    const head = await fetch(artifactHref, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(bytes.length);
    const resume = await fetch(artifactHref, { headers: { ...auth, range: 'bytes=100-' } });
    expect(resume.status).toBe(206);
    expect(resume.headers.get('content-range')).toBe(`bytes 100-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await resume.arrayBuffer()).equals(bytes.subarray(100))).toBe(true);
    const suffix = await fetch(artifactHref, { headers: { ...auth, range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const bad = await fetch(artifactHref, { headers: { ...auth, range: `bytes=${bytes.length + 10}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    const mismatch = await fetch(artifactHref, { headers: { ...auth, 'if-match': '"0000"' } });
    expect(mismatch.status).toBe(412);
    const match = await fetch(artifactHref, { headers: { ...auth, 'if-match': head.headers.get('etag')! } });
    expect(match.status).toBe(200);
    await match.arrayBuffer();
    const md5 = await fetch(`${artifactHref}.MD5SUM`, { headers: auth });
    expect(await md5.text()).toBe(`${createHash('md5').update(bytes).digest('hex')}  hub-1.1.0.swu`);
    const list = await a.request('GET', artifactHref.replace(/\/[^/]+$/, ''));
    expect((list.body as { filename: string }[]).map((x) => x.filename)).toEqual(['hub-1.1.0.swu']);
  });

  it('refuses bad tokens with 401 and an empty body', async () => {
    for (const header of [`TargetToken nope`, `Bearer ${h.fleet.devices[0]!.token}`, `TargetToken  ${h.fleet.devices[0]!.token}`, `targettoken ${h.fleet.devices[0]!.token}`, '']) {
      const res = await fetch(a.base, { headers: header ? { authorization: header } : {} });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    // A device's own token does not open another controller.
    const res = await fetch(b.base, { headers: { authorization: `TargetToken ${h.fleet.devices[0]!.token}` } });
    expect(res.status).toBe(401);
  });

  it("keeps other devices' actions and artifacts out of reach (404)", async () => {
    expect((await b.request('GET', `${b.base}/deploymentBase/${actionA}`)).status).toBe(404);
    expect((await b.request('POST', `${b.base}/deploymentBase/${actionA}/feedback`, DdiDevice.feedback('closed', 'success'))).status).toBe(404);
    const moduleUrl = artifactHref.replace(`/${a.controllerId}/`, `/${outsider.controllerId}/`);
    expect((await outsider.request('GET', moduleUrl)).status).toBe(404);
    expect((await outsider.request('HEAD', moduleUrl)).status).toBe(404);
    expect((await a.request('GET', `${a.base}/deploymentBase/999999`)).status).toBe(404);
    expect((await a.request('GET', `${a.base}/deploymentBase/abc`)).status).toBe(404);
  });

  it('rejects malformed feedback with 400 and changes nothing', async () => {
    const before = await h.tdb.db.updateAction.findUniqueOrThrow({ where: { id: Number(actionA) }, include: { history: true } });
    const url = `${a.base}/deploymentBase/${actionA}/feedback`;
    for (const bad of [
      { status: { execution: 'CLOSED', result: { finished: 'success' } } },
      { status: { execution: 'closed', result: { finished: 'SUCCESS' } } },
      { status: { execution: 'closed' } },
      { status: { execution: 'exploded', result: { finished: 'none' } } },
      // Past the 32-bit columns they are stored in.
      { status: { execution: 'proceeding', result: { finished: 'none' }, code: 3_000_000_000 } },
      { status: { execution: 'proceeding', result: { finished: 'none', progress: { cnt: 1, of: 2 ** 31 } } } },
      {},
      '{"status": ',
    ]) {
      const res = await a.request('POST', url, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.text).toBe('');
    }
    expect((await a.request('POST', url, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    const after = await h.tdb.db.updateAction.findUniqueOrThrow({ where: { id: Number(actionA) }, include: { history: true } });
    expect(after.status).toBe(before.status);
    expect(after.history.length).toBe(before.history.length);
  });

  it('accepts old-style feedback (id, time, a single detail string) and enforces the details quota', async () => {
    const url = `${a.base}/deploymentBase/${actionA}/feedback`;
    const ok = await a.request('POST', url, { id: Number(actionA), time: '20261125T101010', status: { execution: 'download', result: { finished: 'none', progress: { cnt: 3, of: 0 } }, details: 'Downloading' } });
    expect(ok.status).toBe(200);
    const tooMany = await a.request('POST', url, DdiDevice.feedback('proceeding', 'none', Array.from({ length: 51 }, (_, i) => `line ${i}`)));
    expect(tooMany.status).toBe(429);
    const action = await h.tdb.db.updateAction.findUniqueOrThrow({ where: { id: Number(actionA) } });
    expect(action.status).toBe('DOWNLOAD');
    expect(action.lastMessage).toBe('Downloading');
  });

  it('keeps log lines Postgres cannot store with those characters replaced, and refuses such attributes or controller ids', async () => {
    const url = `${a.base}/deploymentBase/${actionA}/feedback`;
    // A NUL or an unpaired surrogate is valid JSON; the report matters more than its log text.
    expect((await a.request('POST', url, DdiDevice.feedback('proceeding', 'none', ['nul \u0000 here', 'lone \ud800 here']))).status).toBe(200);
    const entry = await h.tdb.db.updateActionStatusEntry.findFirstOrThrow({ where: { actionId: Number(actionA) }, orderBy: { id: 'desc' } });
    expect(entry.details).toEqual(['nul \ufffd here', 'lone \ufffd here']);
    const config = `${a.base}/configData`;
    expect((await a.request('PUT', config, { data: { serial: 'S\u0000' } })).status).toBe(400);
    expect((await a.request('PUT', config, { data: { ['k\udc00']: 'v' } })).status).toBe(400);
    const gw = await createGatewayToken(h.deps, SYSTEM_ACTOR, { name: 'edge-nul', modelId: h.fleet.modelId });
    const nul = new DdiDevice(h.url, 'bad%00id', gw.token, 'default', 'GatewayToken');
    expect((await nul.poll()).status).toBe(401);
    expect((await nul.request('PUT', `${nul.base}/configData`, { data: { a: 'b' } })).status).toBe(401);
  });

  it('closes the action on success: 410 afterwards, installedBase, reported version, configData requested', async () => {
    const url = `${a.base}/deploymentBase/${actionA}/feedback`;
    expect((await a.request('POST', url, DdiDevice.feedback('closed', 'success', ['Update Installed.']))).status).toBe(200);
    expect((await a.request('POST', url, DdiDevice.feedback('closed', 'success'))).status).toBe(410);
    const device = await h.tdb.db.device.findUniqueOrThrow({ where: { id: h.fleet.devices[0]!.id } });
    expect(device.firmwareVersion).toBe('1.1.0');
    expect(device.firmwareKey).toBe('000000001.000000001.000000000.000000000~'); // what "firmware below" filters compare
    const poll = (await a.poll()).body as { _links?: Record<string, unknown> };
    expect(poll._links?.deploymentBase).toBeUndefined();
    expect(poll._links?.configData).toBeDefined();
    const installed = await a.request('GET', `${a.base}/installedBase/${actionA}`);
    expect(installed.status).toBe(200);
    expect((installed.body as { id: string }).id).toBe(actionA);
    expect((await b.request('GET', `${b.base}/installedBase/${actionA}`)).status).toBe(404);
    expect((await a.request('GET', `${a.base}/cancelAction/${actionA}`)).status).toBe(404);
    expect((await a.request('POST', `${a.base}/cancelAction/${actionA}/feedback`, DdiDevice.feedback('closed', 'success'))).status).toBe(405);
  });

  it('stores configData attributes on the device (merge, replace, remove) and stops asking', async () => {
    const url = `${a.base}/configData`;
    expect((await a.request('PUT', url, { mode: 'replace', data: { hwRevision: '2', board: 'x1' }, status: { execution: 'closed' } })).status).toBe(200);
    expect((await a.request('PUT', url, { data: { serial: 'S-1' } })).status).toBe(200);
    expect((await a.request('PUT', url, { mode: 'remove', data: { board: '' } })).status).toBe(200);
    expect((await a.request('PUT', url, { data: {} })).status).toBe(400);
    expect((await a.request('PUT', url, { mode: 'MERGE', data: { x: '1' } })).status).toBe(400);
    expect((await a.request('PUT', url, { data: { x: 'y'.repeat(129) } })).status).toBe(400);
    const device = await h.tdb.db.device.findUniqueOrThrow({ where: { id: h.fleet.devices[0]!.id } });
    expect(device.attributes).toEqual({ hwRevision: '2', serial: 'S-1' });
    const poll = (await a.poll()).body as { _links?: Record<string, unknown> };
    expect(poll._links).toBeUndefined();
  });

  it('lets a gateway token act for any controller and register a new one', async () => {
    const gw = await createGatewayToken(h.deps, SYSTEM_ACTOR, { name: 'edge', modelId: h.fleet.modelId });
    const known = new DdiDevice(h.url, b.controllerId, gw.token, 'default', 'GatewayToken');
    const poll = await known.poll();
    expect(poll.status).toBe(200);
    expect((poll.body as { _links: Record<string, unknown> })._links.deploymentBase).toBeDefined();
    const fresh = new DdiDevice(h.url, 'new-controller-1', gw.token, 'default', 'GatewayToken');
    expect((await fresh.request('PUT', `${fresh.base}/configData`, { data: { a: 'b' } })).status).toBe(401);
    expect((await fresh.poll()).status).toBe(200);
    const registered = await h.tdb.db.device.findUnique({ where: { controllerId: 'new-controller-1' } });
    expect(registered).toMatchObject({ modelId: h.fleet.modelId, status: 'PROVISIONING' });
    expect((await fetch(fresh.base, { headers: { authorization: 'GatewayToken wrong' } })).status).toBe(401);
  });

  it('tells a device to skip the install outside the maintenance window (download still allowed)', async () => {
    const closedNow = new Date(Date.now() + 2 * 3600_000);
    const start = `${String(closedNow.getUTCHours()).padStart(2, '0')}:00`;
    const r = await createRollout(h.deps, SYSTEM_ACTOR, {
      name: 'night only',
      releaseId: h.fleet.releases.v110,
      filter: { deviceIds: [h.fleet.devices[2]!.id] },
      waves: [{ percent: 100 }],
      requiresApproval: false,
      maintenanceWindow: { start, durationMinutes: 30, timezone: 'UTC' },
    });
    await startRollout(h.deps, SYSTEM_ACTOR, r.id);
    await evaluateRollout(h.deps, r.id);
    const poll = (await outsider.poll()).body as { _links: { deploymentBase: { href: string } } };
    const d = (await outsider.request('GET', poll._links.deploymentBase.href)).body as { deployment: Record<string, unknown> };
    expect(d.deployment).toMatchObject({ download: 'forced', update: 'skip', maintenanceWindow: 'unavailable' });
  });
});

import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWarden } from './harness.js';

/** `warden devices …`, `whoami` and the error paths, against a real API started in-process. */
const warden = await startWarden();
let dir: string;
let csvFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'warden-cli-'));
  const site = await warden.db.site.create({ data: { code: 'hq', name: 'Headquarters' } });
  await warden.db.segment.createMany({
    data: [
      { siteId: site.id, name: 'iot-1', cidr: '10.1.0.0/16', zone: 'IOT' },
      { siteId: site.id, name: 'iot-2', cidr: '10.2.0.0/16', zone: 'IOT' },
    ],
  });
  await warden.db.deviceModel.createMany({
    data: [
      { vendor: 'Lumen', name: 'Cam-200', kind: 'CAMERA' },
      { vendor: 'Glow', name: 'Bulb', kind: 'LIGHT', otaCapable: false },
    ],
  });
  // 1,200 devices over three chunks of 500, with rejected rows in each chunk.
  const lines = ['serial,model,segment,firmware,tags,location'];
  for (let i = 0; i < 1200; i++) {
    const camera = i % 3 === 0;
    lines.push(`SN-${String(i).padStart(4, '0')},${camera ? 'Lumen/Cam-200' : 'Glow/Bulb'},hq/iot-${(i % 2) + 1},${camera ? (i < 600 ? '1.2.0' : '2.0.1') : '1.0.0'},${i % 10 === 0 ? 'lobby;floor-1' : 'floor-1'},"Floor 1, desk ${i}"`);
  }
  lines[5] = 'SN-0004,Acme/Nope,hq/iot-1,1.0.0,,desk'; // line 6: unknown model
  lines[700] = 'SN-0699,Lumen/Cam-200,hq/basement,1.0.0,,desk'; // line 701: unknown segment
  lines[1101] = 'SN-0002,Glow/Bulb,hq/iot-1,1.0.0,,desk'; // line 1102: serial already on line 4 (another chunk)
  lines[1150] = 'SN-1149,Lumen/Cam-200,hq/iot-1,not a version!,,desk'; // line 1151
  csvFile = path.join(dir, 'office.csv');
  await writeFile(csvFile, `${lines.join('\n')}\n`);
});

afterAll(() => warden.stop());

describe('warden devices import', () => {
  it('imports in chunks with a progress bar and reports each rejected row by its line in the file', async () => {
    const r = await warden.cli(['devices', 'import', csvFile, '--chunk-size', '500']);
    expect(r.stdout).toContain(`Imported 1,200 rows from ${csvFile}: 1,196 created, 0 updated, 0 unchanged, 4 failed.`);
    const errors = r.stdout.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    expect(errors.map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
      ['6', 'SN-0004', 'model'],
      ['701', 'SN-0699', 'segment'],
      ['1102', 'SN-0002', 'serial'],
      ['1151', 'SN-1149', 'firmwareVersion'],
    ]);
    expect(errors[2]).toContain('duplicate of line 4');
    expect(r.code).toBe(1); // some rows were refused
    // Progress on stderr (not a terminal here: a line per tenth), ending at every row.
    expect(r.stderr).toMatch(/\[░+\]\s+0%\s+1\/1,200 rows\s+1 failed/); // the repeated serial, refused before sending
    expect(r.stderr).toMatch(/\[█+\]\s+100%\s+1,200\/1,200 rows\s+4 failed/);
    expect(await warden.db.device.count()).toBe(1196);
    expect(await warden.db.device.findUnique({ where: { serial: 'SN-0002' }, select: { kind: true } })).toEqual({ kind: 'LIGHT' });
    const audit = await warden.db.auditLog.findMany({ where: { action: 'devices.import' } });
    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.actorType === 'API_KEY')).toBe(true);
  });

  it('is idempotent: the same file again changes nothing, and --json says so', async () => {
    const r = await warden.cli(['devices', 'import', csvFile, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ total: 1200, created: 0, updated: 0, unchanged: 1196, failed: 4 });
    expect(out.errors.map((e: { line: number }) => e.line)).toEqual([6, 701, 1102, 1151]);
  });

  it('refuses a file that is not CSV before sending anything, naming the problem', async () => {
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'serial,model\nX-1,"Lumen/Cam-200\n');
    const r = await warden.cli(['devices', 'import', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warden: not valid CSV: .*Quote/);
    expect(await warden.db.device.count({ where: { serial: 'X-1' } })).toBe(0);
  });

  it('surfaces the API error code when the key may not import', async () => {
    const r = await warden.cli(['devices', 'import', csvFile], { key: warden.keys.VIEWER });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warden: FORBIDDEN: ');
    expect(r.stderr).toContain('import stopped at line 2');
  });
});

describe('warden devices list', () => {
  it('filters as the registry does, by names admins know, as a table', async () => {
    const r = await warden.cli(['devices', 'list', '--kind', 'camera', '--segment', 'hq/iot-1', '--firmware-below', '2.0.0', '--tag', 'lobby', '--sort', 'serial']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SERIAL\s+NAME\s+KIND\s+MODEL\s+FIRMWARE\s+SEGMENT\s+STATUS\s+LAST SEEN$/);
    // Cameras are every third device, iot-1 the even ones, lobby every tenth: i % 30 === 0 below 600.
    const expected = Array.from({ length: 20 }, (_, k) => `SN-${String(k * 30).padStart(4, '0')}`);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(expected);
    expect(rows.every((l) => /CAMERA\s+Lumen\/Cam-200\s+1\.2\.0\s+hq\/iot-1\s+PROVISIONING\s+-$/.test(l))).toBe(true);
    expect(r.stderr.trim()).toBe('20 devices');
  });

  it('pages through everything with --all and prints JSON for scripts', async () => {
    const limited = await warden.cli(['devices', 'list', '--kind', 'LIGHT', '--limit', '3']);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(limited.stderr).toContain('3 of 798 devices (--limit N or --all for more)');
    const all = await warden.cli(['devices', 'list', '--kind', 'LIGHT', '--no-ota', '--all', '--json']);
    const devices = JSON.parse(all.stdout) as { serial: string; kind: string; segment: { name: string } }[];
    expect(devices).toHaveLength(798);
    expect(new Set(devices.map((d) => d.serial)).size).toBe(798);
    expect(devices.every((d) => d.kind === 'LIGHT')).toBe(true);
  });

  it('names an unknown segment or a bad value instead of listing nothing', async () => {
    const seg = await warden.cli(['devices', 'list', '--segment', 'hq/basement']);
    expect(seg.code).toBe(2);
    expect(seg.stderr).toContain('no segment "hq/basement"');
    const kind = await warden.cli(['devices', 'list', '--kind', 'TOASTER']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('--kind: unknown value TOASTER');
  });
});

describe('keys, addresses and errors', () => {
  it('says which key it acts as', async () => {
    const r = await warden.cli(['whoami'], { key: warden.keys.RESPONDER });
    expect(r.stdout).toMatch(/^api-key:RESPONDER \(API key\), role RESPONDER, at http:\/\/127\.0\.0\.1:\d+\/graphql$/m);
  });

  it('exits non-zero naming the problem: no key, a wrong key, nothing listening', async () => {
    const none = await warden.cli(['devices', 'list'], { key: null });
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('no API key: set WARDEN_API_KEY or pass --api-key');

    const wrong = await warden.cli(['devices', 'list'], { key: 'wdk_not_a_real_key_at_all' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('warden: UNAUTHENTICATED: ');
    expect(wrong.stderr).toContain('the API key was not accepted');

    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    await new Promise((r) => closed.close(r));
    const down = await warden.cli(['devices', 'list', '--url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach Warden at http://127.0.0.1:${port} (ECONNREFUSED); is the API running?`);

    const notWarden = await warden.cli(['devices', 'list', '--url', `${warden.url}/ide`]);
    expect(notWarden.code).toBe(1);
    expect(notWarden.stderr).toMatch(/answered HTTP 404 with something that is not GraphQL; is .* the Warden API\?/);
  });

  it('runs as the installed `warden` executable (npx warden) with the same exit status', async () => {
    const root = path.resolve(import.meta.dirname, '../../../..');
    const child = spawn(path.join(root, 'node_modules/.bin/warden'), ['devices', 'list', '--kind', 'CAMERA', '--limit', '2', '--json'], {
      cwd: root,
      env: { ...process.env, WARDEN_URL: warden.url, WARDEN_API_KEY: warden.keys.VIEWER },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toHaveLength(2);

    const bad = spawn(path.join(root, 'node_modules/.bin/warden'), ['whoami', '--api-key', 'wdk_wrong'], { cwd: root, env: { ...process.env, WARDEN_URL: warden.url } });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((r) => bad.once('exit', r))).toBe(1);
    expect(err).toContain('UNAUTHENTICATED');
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testConfig, type TestDatabase } from '@warden/testing';
import { SYSTEM_ACTOR } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { createDeviceModel, createSegment, createSite } from './places.js';
import { importDevices } from './import.js';

let t: TestDatabase;
let deps: CoreDeps;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, sql: t.sql, config: testConfig() };
  const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 'iot-1', cidr: '10.20.0.0/16', zone: 'IOT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Vigil', name: 'C200', kind: 'CAMERA' });
});
afterAll(() => t.drop());

const HEADER = 'serial,name,model,firmware,segment,ip,mac,tags,criticality,attr.room';

function goodRow(i: number): string {
  const ip = `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  const model = i % 3 ? 'Lumen/A19' : 'vigil/c200';
  return `SN-${String(i).padStart(6, '0')},Device ${i},${model},2.${i % 7}.0,hq/iot-1,${ip},${mac},floor-${i % 3};batch-a,LOW,${i % 40}`;
}

/** Ten ways a row goes wrong, five times each: 50 broken rows. */
const BREAKERS: [field: string, (i: number) => string][] = [
  ['serial', (i) => goodRow(i).replace(/^SN-/, 'SN /')],
  ['model', (i) => goodRow(i).replace(/Lumen\/A19|vigil\/c200/, 'Nope/X1')],
  ['ip', (i) => goodRow(i).replace(/10\.20\.\d+\.\d+/, '10.20.300.1')],
  ['mac', (i) => goodRow(i).replace(/02:00:00:[0-9a-f:]+/, 'zz:00')],
  ['firmwareVersion', (i) => goodRow(i).replace(/2\.\d\.0/, 'latest')],
  ['segment', (i) => goodRow(i).replace('hq/iot-1', 'hq/nowhere')],
  ['criticality', (i) => goodRow(i).replace(',LOW,', ',SEVERE,')],
  ['tags.1', (i) => goodRow(i).replace('batch-a', 'Has Spaces')],
  ['model', (i) => goodRow(i).replace(/Lumen\/A19|vigil\/c200/, '')],
  ['serial', () => goodRow(1)],
];

describe('bulk import of 10,000 devices', () => {
  const lines = [HEADER];
  const broken = new Map<number, string>();
  for (let i = 1; i <= 10_000; i++) {
    const breaker = i > 100 && i % 199 === 0 && broken.size < 50 ? BREAKERS[broken.size % BREAKERS.length] : undefined;
    lines.push(breaker ? breaker[1](i) : goodRow(i));
    if (breaker) broken.set(lines.length, breaker[0]); // CSV line number of this row
  }
  const csv = lines.join('\n');

  it('reports exactly the 50 broken rows, with line and field, and imports the rest', async () => {
    expect(broken.size).toBe(50);
    // Speed is bench/registry's to measure (beside the raw engine); a wall-clock limit here would only
    // measure how busy the machine is.
    const result = await importDevices(deps, SYSTEM_ACTOR, { format: 'CSV', data: csv });

    expect(result.total).toBe(10_000);
    expect(result.failed).toBe(50);
    expect(new Map(result.errors.map((e) => [e.line, e.field]))).toEqual(broken);
    expect(result.created).toBe(9_950);
    expect(await t.db.device.count()).toBe(9_950);

    const d = await t.db.device.findUniqueOrThrow({ where: { serial: 'SN-000043' } });
    expect(d).toMatchObject({ name: 'Device 43', firmwareVersion: '2.1.0', ip: '10.20.0.44', criticality: 'LOW', kind: 'LIGHT' });
    expect(d.tags).toEqual(['batch-a', 'floor-1']);
    expect(d.attributes).toEqual({ room: '3' });
    const cam = await t.db.device.findUniqueOrThrow({ where: { serial: 'SN-000003' } });
    expect(cam.kind).toBe('CAMERA');
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await t.db.device.findUniqueOrThrow({ where: { serial: 'SN-000042' } });
    const result = await importDevices(deps, SYSTEM_ACTOR, { format: 'CSV', data: csv });
    expect(result).toMatchObject({ created: 0, updated: 0, unchanged: 9_950, failed: 50 });
    const after = await t.db.device.findUniqueOrThrow({ where: { serial: 'SN-000042' } });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await t.db.device.count()).toBe(9_950);
  });

  it('updates only the rows whose values changed, keeping values a row leaves out', async () => {
    const json = JSON.stringify([
      { serial: 'SN-000042', model: 'Lumen/A19', firmwareVersion: '3.0.0' },
      { serial: 'SN-000043', model: 'Lumen/A19', name: 'Device 43' },
      { serial: 'NEW-1', model: 'Lumen/A19' },
    ]);
    const result = await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: json });
    expect(result).toMatchObject({ created: 1, updated: 1, unchanged: 1, failed: 0 });
    const d = await t.db.device.findUniqueOrThrow({ where: { serial: 'SN-000042' } });
    expect(d).toMatchObject({ firmwareVersion: '3.0.0', ip: '10.20.0.43', segmentId: expect.any(String) });
  });

  it('refuses a file that is not CSV/JSON at all, naming the problem', async () => {
    await expect(importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: '{"devices": 3' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('not valid JSON'),
    });
    await expect(importDevices(deps, SYSTEM_ACTOR, { format: 'CSV', data: 'serial,model\n"unterminated' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it('reports a controller id taken by another device instead of failing the import', async () => {
    const result = await importDevices(deps, SYSTEM_ACTOR, {
      format: 'JSON',
      data: JSON.stringify([{ serial: 'OTHER-1', controllerId: 'SN-000042', model: 'Lumen/A19' }, { serial: 'OTHER-2', model: 'Lumen/A19' }]),
    });
    expect(result.created).toBe(1);
    expect(result.errors).toEqual([{ line: 1, serial: 'OTHER-1', field: 'controllerId', message: expect.stringContaining('belongs to device SN-000042') }]);
  });

  it('imports the fail-safe flag from CSV and JSON, keeps it when a row leaves it out, and reports a bad value', async () => {
    const csv = await importDevices(deps, SYSTEM_ACTOR, { format: 'CSV', data: 'serial,model,fail_safe\nFS-1,vigil/c200,yes\nFS-2,Lumen/A19,\nFS-3,Lumen/A19,maybe' });
    expect(csv).toMatchObject({ created: 2, failed: 1, errors: [{ serial: 'FS-3', field: 'failSafe' }] });
    await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify([{ serial: 'FS-1', model: 'vigil/c200', name: 'renamed' }, { serial: 'FS-2', model: 'Lumen/A19', failSafe: true }]) });
    const rows = await t.db.device.findMany({ where: { serial: { in: ['FS-1', 'FS-2'] } }, orderBy: { serial: 'asc' }, select: { serial: true, failSafe: true, name: true } });
    expect(rows).toEqual([
      { serial: 'FS-1', failSafe: true, name: 'renamed' },
      { serial: 'FS-2', failSafe: true, name: 'FS-2' },
    ]);
  });

  it('never lifts a quarantine through an import', async () => {
    await t.db.device.update({ where: { serial: 'FS-2' }, data: { status: 'QUARANTINED' } });
    await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify([{ serial: 'FS-2', model: 'Lumen/A19', status: 'ACTIVE' }]) });
    expect((await t.db.device.findUniqueOrThrow({ where: { serial: 'FS-2' } })).status).toBe('QUARANTINED');
  });
});

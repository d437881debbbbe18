/**
 * Registry benchmark (Foundation issue):
 *  - bulk import of 10,000 devices through the import use-case (parse, validate row by row, upsert),
 *    beside the bare UNNEST upsert of the same rows;
 *  - p50/p95 of a filtered `devices(first: 100)` GraphQL query over HTTP on 10,000 devices (one
 *    keep-alive connection, as a console or script holds; the API in its own process, in
 *    production mode and with the heap infra/compose gives it, as deployed, and warmed up as a
 *    running API is), beside the same query in raw SQL (pg, same database, same run), the two
 *    interleaved in rounds so both see the same machine.
 * Targets: import >= 5,000 devices/s; GraphQL p95 <= 3x raw SQL and <= 25 ms.
 */
import pg from 'pg';
import { createDeviceModel, createSegment, createSite, createUser, importDevices, login, SYSTEM_ACTOR } from '@warden/core';
import { upsertDevices, type DeviceUpsertRow } from '@warden/db';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { fmt, freePorts, httpClient, percentile, startService, table, timeMany, verdict, waitHttp } from '../lib.js';

const N = 10_000;
/** Timed queries per side: enough that p95 is read off 100 slow samples, not five. */
const QUERIES = 2000;
/** Untimed queries first, per side: a deployed API has compiled its hot paths long before. */
const WARMUP = 300;
const ROUNDS = 10;

function rows(prefix: string) {
  return Array.from({ length: N }, (_, i) => ({
    serial: `${prefix}-${String(i).padStart(6, '0')}`,
    name: `Device ${i}`,
    model: i % 4 ? 'Lumen/A19' : 'Vigil/C200',
    firmwareVersion: `2.${i % 12}.${i % 5}`,
    segment: `hq/seg-${i % 8}`,
    ip: `10.${20 + (i % 8)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`,
    mac: `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    tags: [`floor-${i % 3}`],
    location: `Floor ${i % 3}, Room ${i % 40}`,
    criticality: 'LOW',
  }));
}

export async function run(): Promise<void> {
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    API_RATE_LIMIT: '1000000',
    TOKEN_PEPPER: 'bench-pepper-0123456789-0123456789',
    PASSWORD_MEMORY_KIB: '1024',
    PASSWORD_ITERATIONS: '1',
  };
  const config = testConfig(env);
  const deps = { db: database.db, sql: database.sql, config };
  const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
  const segments: { id: string }[] = [];
  for (let s = 0; s < 8; s++) segments.push(await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: `seg-${s}`, cidr: `10.${20 + s}.0.0/16`, zone: 'IOT' }));
  const light = await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
  await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Vigil', name: 'C200', kind: 'CAMERA' });

  // --- import ---------------------------------------------------------------------------------
  const data = JSON.stringify(rows('BENCH'));
  let t = performance.now();
  const result = await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data });
  const importMs = performance.now() - t;
  if (result.created !== N) throw new Error(`import created ${result.created}`);
  t = performance.now();
  const again = await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data });
  const reimportMs = performance.now() - t;

  const raw: DeviceUpsertRow[] = rows('RAW').map((r, i) => ({
    serial: r.serial, controllerId: r.serial, name: r.name, kind: 'LIGHT', modelId: light.id, firmwareVersion: r.firmwareVersion,
    firmwareKey: null, segmentId: segments[i % 8]!.id, ip: r.ip, mac: r.mac, tags: r.tags, location: r.location,
    criticality: 'LOW', owner: null, status: 'PROVISIONING', failSafe: false, attributes: {},
  }));
  t = performance.now();
  await upsertDevices(database.sql, raw);
  const rawMs = performance.now() - t;
  await database.db.device.deleteMany({ where: { serial: { startsWith: 'RAW-' } } });
  await database.db.$executeRawUnsafe('VACUUM ANALYZE devices');

  const importRate = N / (importMs / 1000);
  const rawRate = N / (rawMs / 1000);

  // --- query ------------------------------------------------------------------------------------
  const [port, opsPort] = (await freePorts(2)) as [number, number];
  const api = startService('api', { ...env, API_PORT: String(port), API_OPS_PORT: String(opsPort) });
  await waitHttp(`http://127.0.0.1:${opsPort}/ready`);
  await createUser(deps, SYSTEM_ACTOR, { email: 'bench@example.test', name: 'b', password: 'benchmark password', role: 'VIEWER' });
  const { token } = await login(deps, { email: 'bench@example.test', password: 'benchmark password' });
  const segmentId = segments[3]!.id;
  const body = JSON.stringify({
    query: `query($s: ID!) { devices(first: 100, filter: {segmentIds: [$s], firmwareBelow: "2.6.0"}) {
      pageInfo { hasNextPage endCursor }
      nodes { id serial name kind firmwareVersion ip mac tags location criticality status lastSeenAt model { vendor name } segment { name } } } }`,
    variables: { s: segmentId },
  });
  const http = httpClient(port);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const gql = async () => {
    const res = await http('/graphql', { body, headers });
    const json = JSON.parse(res.text) as { data?: { devices: { nodes: unknown[] } } };
    if (json.data?.devices.nodes.length !== 100) throw new Error(`unexpected answer ${JSON.stringify(json).slice(0, 300)}`);
  };
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const sql = `SELECT d.id, d.serial, d.name, d.kind, d.firmware_version, host(d.ip) AS ip, d.mac, d.tags, d.location, d.criticality,
                      d.status, d.last_seen_at, m.vendor, m.name AS model_name, s.name AS segment_name
               FROM devices d JOIN device_models m ON m.id = d.model_id LEFT JOIN segments s ON s.id = d.segment_id
               WHERE d.segment_id = $1 AND d.firmware_key < $2
               ORDER BY d.name, d.id LIMIT 101`;
  const key = '000000002.000000006.000000000.000000000~';
  const rawQuery = async () => {
    const r = await client.query(sql, [segmentId, key]);
    if (r.rowCount !== 101) throw new Error(`raw query returned ${r.rowCount}`);
  };
  // Interleave the two so both see the same machine state.
  const g: number[] = [];
  const s: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    g.push(...(await timeMany(QUERIES / ROUNDS, gql, round ? 0 : WARMUP)));
    s.push(...(await timeMany(QUERIES / ROUNDS, rawQuery, round ? 0 : WARMUP)));
  }
  g.sort((a, b) => a - b);
  s.sort((a, b) => a - b);
  await client.end();
  await new Promise<void>((resolve) => {
    api.once('exit', () => resolve());
    api.kill('SIGTERM');
  });
  await database.drop();

  const gp50 = percentile(g, 50), gp95 = percentile(g, 95), sp50 = percentile(s, 50), sp95 = percentile(s, 95);
  console.log(table([
    ['measure', 'warden', 'raw engine', 'ratio'],
    ['import 10,000 devices (devices/s)', fmt(importRate, 0), `${fmt(rawRate, 0)} (bare UNNEST upsert)`, fmt(rawRate / importRate)],
    ['re-import unchanged file (devices/s)', fmt(N / (reimportMs / 1000), 0), '', `${again.unchanged} unchanged`],
    ['devices(first:100) filtered p50 (ms)', fmt(gp50), `${fmt(sp50)} (raw SQL)`, fmt(gp50 / sp50)],
    ['devices(first:100) filtered p95 (ms)', fmt(gp95), `${fmt(sp95)} (raw SQL)`, fmt(gp95 / sp95)],
  ]));
  console.log(verdict(importRate >= 5000, `import >= 5,000 devices/s (${fmt(importRate, 0)})`));
  console.log(verdict(gp95 <= 25, `GraphQL p95 <= 25 ms (${fmt(gp95)})`));
  console.log(verdict(gp95 <= 3 * sp95, `GraphQL p95 <= 3x raw SQL p95 (${fmt(gp95 / sp95)}x)`));
}

import { createDeviceModel, createSegment, createSite, createUser, importDevices, login, SYSTEM_ACTOR } from '@warden/core';
import { createLogger, createRedis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix } from '@warden/testing';
import { buildApi } from '../services/api/src/app.js';
import { timeMany, percentile } from './lib.js';
const database = await createTestDatabase();
const config = testConfig({ DATABASE_URL: database.url, REDIS_PREFIX: testRedisPrefix(), API_RATE_LIMIT: '10000000' });
const deps = { db: database.db, sql: database.sql, config };
const site = await createSite(deps, SYSTEM_ACTOR, { code: 'hq', name: 'HQ' });
const seg = await createSegment(deps, SYSTEM_ACTOR, { siteId: site.id, name: 's', cidr: '10.0.0.0/8', zone: 'IOT' });
await createDeviceModel(deps, SYSTEM_ACTOR, { vendor: 'Lumen', name: 'A19', kind: 'LIGHT' });
await importDevices(deps, SYSTEM_ACTOR, { format: 'JSON', data: JSON.stringify(Array.from({length: 10000}, (_, i) => ({serial: `S${i}`, model: 'Lumen/A19', segment: 'hq/s', firmwareVersion: `2.${i%12}.0`}))) });
await createUser(deps, SYSTEM_ACTOR, { email: 'b@x.test', name: 'b', password: 'benchmark password', role: 'VIEWER' });
const { token } = await login(deps, { email: 'b@x.test', password: 'benchmark password' });
const redis = createRedis(config.redisUrl, { forRequests: true });
const api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('b', 'silent') });
const port = await api.listen(0, '127.0.0.1');
const q = (query: string) => async () => { const r = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables: { s: seg.id } }) }); await r.json(); };
const p = (name: string, xs: number[]) => console.log(name.padEnd(20), percentile(xs, 50).toFixed(2), percentile(xs, 95).toFixed(2));
for (let k = 0; k < 2; k++) {
p('ping', await timeMany(200, q('{ ping }')));
p('ids', await timeMany(200, q('query($s: ID!) { devices(first: 100, filter: {segmentIds: [$s], firmwareBelow: "2.6.0"}) { nodes { id } } }')));
p('scalars', await timeMany(200, q('query($s: ID!) { devices(first: 100, filter: {segmentIds: [$s], firmwareBelow: "2.6.0"}) { nodes { id serial name kind firmwareVersion ip mac tags location criticality status lastSeenAt } } }')));
p('full', await timeMany(200, q('query($s: ID!) { devices(first: 100, filter: {segmentIds: [$s], firmwareBelow: "2.6.0"}) { nodes { id serial name kind firmwareVersion ip mac tags location criticality status lastSeenAt model { vendor name } segment { name } } } }')));
p('raw', await timeMany(200, () => database.sql.query(`SELECT * FROM devices d JOIN device_models m ON m.id = d.model_id WHERE d.segment_id = $1 AND d.firmware_key < '000000002.000000006' ORDER BY d.name, d.id LIMIT 101`, [seg.id])));
}
await api.stop(); redis.disconnect(); await database.drop(); process.exit(0);

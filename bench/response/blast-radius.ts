/**
 * Blast radius and readiness on 10,000 devices with 1,000,000 contact rows: the GraphQL query over
 * HTTP (one keep-alive connection, production mode) beside the same SQL statement sent straight to
 * Postgres, interleaved in the same run; the walk by IP join it replaced; readiness from SQL
 * aggregates beside loading the fleet into memory.
 */
import pg from 'pg';
import { advisoryIndex, computeReadiness, createUser, login, SYSTEM_ACTOR, type AdvisoryRange, type FleetDevice } from '@warden/core';
import { blastRadiusSql } from '@warden/db';
import { createLogger, createRedis } from '@warden/runtime';
import { createTestDatabase, testConfig, testRedisPrefix, TEST_REDIS_URL } from '@warden/testing';
import { buildApi } from '../../services/api/src/app.js';
import { fmt, httpClient, percentile, timeMany } from '../lib.js';
import { buildOffice, CONTACTS_PER_DEVICE, DEVICES } from './office.js';

const QUERIES = Number(process.env.BENCH_BLAST_QUERIES ?? 200);

const BLAST_QUERY = /* GraphQL */ `
  query($i: ID!) {
    blastRadius(incidentId: $i, maxHops: 2, first: 50) {
      total exploitedAdvisories
      compromised { serial }
      tiers { tier devices }
      bySegment { segment { name } total tier1 tier2 tier3 tier4 }
      devices {
        pageInfo { hasNextPage endCursor }
        nodes { tier score device { id serial name kind firmwareVersion segment { name } }
                reasons { kind hops via contactedBy contacted count segmentId advisories fixAvailable } }
      }
    }
  }`;

const READINESS_QUERY = /* GraphQL */ `{
  readiness {
    simultaneous { devices unpatchable startSegment { name } }
    advisories { externalId exposed unpatchable patchableNow bySegment { segment { name } devices } }
    unpatchable { total }
    segments { segment { name } devices vulnerable wormReach { devices } worstAdvisory { externalId devices } }
  } }`;

export interface BlastRadiusFigures {
  gql: number[];
  raw: number[];
  byIp: number[];
  readinessSql: number[];
  readinessJs: number[];
  contactsPerSecond: number;
  total: number;
  tiers: number[];
  simultaneous: number;
}

export async function measureBlastRadius(log: (s: string) => void): Promise<BlastRadiusFigures> {
  const database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix(), API_RATE_LIMIT: '1000000' });
  const deps = { db: database.db, sql: database.sql, config };
  const redis = createRedis(config.redisUrl, { forRequests: true });
  const client = new pg.Client({ connectionString: database.url, options: '-c jit=off' });
  const api = await buildApi({ config, db: database.db, sql: database.sql, redis, log: createLogger('bench', 'silent') });
  try {
    log(`building ${DEVICES} devices and ${DEVICES * CONTACTS_PER_DEVICE} contacts (through the stream's contact upsert)...`);
    const office = await buildOffice(database.db, database.sql, log);
    const port = await api.listen(0, '127.0.0.1');
    await createUser(deps, SYSTEM_ACTOR, { email: 'bench@example.test', name: 'b', password: 'benchmark password', role: 'VIEWER' });
    const { token } = await login(deps, { email: 'bench@example.test', password: 'benchmark password' });
    const http = httpClient(port);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const blastBody = JSON.stringify({ query: BLAST_QUERY, variables: { i: office.incidentId } });
    let answer: { total: number; tiers: { devices: number }[] } | undefined;
    const gql = async () => {
      const res = await http('/graphql', { body: blastBody, headers });
      const json = JSON.parse(res.text) as { data?: { blastRadius: { total: number; tiers: { devices: number }[]; devices: { nodes: unknown[] } } }; errors?: unknown };
      if (json.data?.blastRadius.devices.nodes.length !== 50) throw new Error(`unexpected answer ${res.text.slice(0, 300)}`);
      answer = json.data.blastRadius;
    };

    // The raw equivalent: the statement the API sends, with the same parameters, on a plain connection.
    await client.connect();
    const incident = await database.db.incident.findUniqueOrThrow({ where: { id: office.incidentId } });
    const source = { compromisedIds: incident.deviceIds, extraSegmentIds: incident.segmentId ? [incident.segmentId] : [], maxHops: 2, limit: 51 };
    const q = blastRadiusSql(source);
    const raw = async () => {
      const r = await client.query(q.text, q.values);
      if ((r.rows[0] as { entries: unknown[] }).entries.length !== 51) throw new Error('raw query: unexpected answer');
    };
    const qIp = blastRadiusSql({ ...source, peerBy: 'ip' });
    const byIp = async () => {
      await client.query(qIp.text, qIp.values);
    };

    const g: number[] = [];
    const s: number[] = [];
    for (let round = 0; round < 4; round++) {
      g.push(...(await timeMany(QUERIES / 4, gql, round ? 0 : 20)));
      s.push(...(await timeMany(QUERIES / 4, raw, round ? 0 : 20)));
    }
    const ip = await timeMany(10, byIp, 2);

    // Readiness: SQL aggregates through GraphQL, beside loading the fleet into memory and computing there.
    const readinessBody = JSON.stringify({ query: READINESS_QUERY });
    let simultaneous = 0;
    const readinessSql = await timeMany(40, async () => {
      const res = await http('/graphql', { body: readinessBody, headers });
      const json = JSON.parse(res.text) as { data?: { readiness: { simultaneous: { devices: number } } } };
      if (!json.data) throw new Error(`readiness: ${res.text.slice(0, 300)}`);
      simultaneous = json.data.readiness.simultaneous.devices;
    }, 5);
    const readinessJs = await timeMany(10, async () => {
      const devices = await database.db.device.findMany({ where: { status: { not: 'RETIRED' } }, select: { id: true, ip: true, segmentId: true, modelId: true, firmwareVersion: true, model: { select: { otaCapable: true } } } });
      const ranges = await database.db.advisoryAffected.findMany({ include: { advisory: true } });
      const links = await database.sql.query<{ from: string; to: string }>(
        `SELECT DISTINCT CASE WHEN c.outbound THEN a.segment_id ELSE b.segment_id END AS from,
                         CASE WHEN c.outbound THEN b.segment_id ELSE a.segment_id END AS to
         FROM device_contacts c JOIN devices a ON a.id = c.device_id JOIN devices b ON b.id = c.peer_device_id
         WHERE c.peer_device_id IS NOT NULL AND a.segment_id <> b.segment_id`,
      );
      const fleet: FleetDevice[] = devices.map((d) => ({ id: d.id, ip: d.ip, segmentId: d.segmentId, modelId: d.modelId, firmwareVersion: d.firmwareVersion, otaCapable: d.model.otaCapable }));
      const adv: AdvisoryRange[] = ranges.map((x) => ({ advisoryId: x.advisoryId, externalId: x.advisory.externalId, severity: x.advisory.severity, modelId: x.modelId, introduced: x.introduced, fixed: x.fixed, lastAffected: x.lastAffected, fixAvailable: x.fixedReleaseId !== null }));
      advisoryIndex(adv);
      computeReadiness({ devices: fleet, advisories: adv, links: links.rows });
    }, 2);

    return {
      gql: g.sort((a, b) => a - b),
      raw: s.sort((a, b) => a - b),
      byIp: ip,
      readinessSql,
      readinessJs,
      contactsPerSecond: (DEVICES * CONTACTS_PER_DEVICE) / (office.contactsMs / 1000),
      total: answer?.total ?? 0,
      tiers: answer?.tiers.map((t) => t.devices) ?? [],
      simultaneous,
    };
  } finally {
    await client.end().catch(() => {});
    await api.stop();
    redis.disconnect();
    await database.drop();
  }
}

export const p = (xs: number[], q: number) => fmt(percentile(xs, q));

/**
 * A large office for the response benchmark: 10,000 devices in 40 segments of two sites, 20
 * models (3 that cannot be updated over the air), firmware spread over ten versions, 8 open
 * advisories, and 1,000,000 contact rows written through the stream processor's contact upsert
 * (so peers are resolved as in production). Per device: 85 contacts with servers and the internet,
 * 12 with devices of its own segment, 3 with devices elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { firmwareKey } from '@warden/core';
import { upsertDeviceContacts, type ContactRow, type Db, type SqlPool } from '@warden/db';

export const DEVICES = 10_000;
export const SEGMENTS = 40;
const PER_SEGMENT = DEVICES / SEGMENTS;
export const CONTACTS_PER_DEVICE = 100;
const EXTERNAL = 85;
const SAME_SEGMENT = 12;

export interface Office {
  deviceIds: string[];
  segmentIds: string[];
  /** An incident: three devices of one segment scanning (an outbreak). */
  incidentId: string;
  compromised: string[];
  contactsMs: number;
}

/** Deterministic pseudo-random integers (xorshift), so every run builds the same office. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const ipOf = (i: number) => `10.${100 + Math.floor(i / PER_SEGMENT)}.${Math.floor((i % PER_SEGMENT) / 250)}.${(i % 250) + 1}`;

export async function buildOffice(db: Db, sql: SqlPool, log: (s: string) => void): Promise<Office> {
  const sites = [await db.site.create({ data: { code: 'hq', name: 'Headquarters' } }), await db.site.create({ data: { code: 'annex', name: 'Annex' } })];
  const segmentIds: string[] = [];
  for (let s = 0; s < SEGMENTS; s++) {
    const seg = await db.segment.create({ data: { siteId: sites[s % 2]!.id, name: `seg-${String(s).padStart(2, '0')}`, cidr: `10.${100 + s}.0.0/16`, zone: s % 5 === 0 ? 'GUEST' : 'IOT' } });
    segmentIds.push(seg.id);
  }
  const kinds = ['SPEAKER', 'LIGHT', 'THERMOSTAT', 'PRINTER', 'CAMERA', 'BADGE_READER', 'TV', 'SENSOR', 'HUB', 'OTHER'] as const;
  const models: { id: string; kind: (typeof kinds)[number] }[] = [];
  for (let m = 0; m < 20; m++) {
    const kind = kinds[m % kinds.length]!;
    models.push({ id: (await db.deviceModel.create({ data: { vendor: `Vendor${m % 7}`, name: `Model-${m}`, kind, otaCapable: m % 7 !== 3 } })).id, kind });
  }
  const r = rng(42);
  const deviceIds = Array.from({ length: DEVICES }, () => randomUUID());
  const rows = deviceIds.map((id, i) => {
    const model = models[r(models.length)]!;
    const fw = `1.${r(10)}.0`;
    return {
      id, serial: `RB-${String(i).padStart(5, '0')}`, controllerId: `rb-${i}`, name: `${model.kind.toLowerCase()} ${i}`, kind: model.kind,
      modelId: model.id, firmwareVersion: fw, firmwareKey: firmwareKey(fw), segmentId: segmentIds[Math.floor(i / PER_SEGMENT)]!, ip: ipOf(i), status: 'ACTIVE' as const,
    };
  });
  for (let i = 0; i < rows.length; i += 2000) await db.device.createMany({ data: rows.slice(i, i + 2000) });
  for (const m of models) {
    for (const v of ['1.5.0', '2.0.0']) await db.release.create({ data: { modelId: m.id, version: v, versionKey: firmwareKey(v)!, name: 'fw' } });
  }
  const releases = await db.release.findMany({ select: { id: true, modelId: true, version: true } });
  for (let a = 0; a < 8; a++) {
    const adv = await db.advisory.create({ data: { externalId: `CVE-2026-${1000 + a}`, severity: a % 2 ? 'HIGH' : 'CRITICAL' } });
    for (let k = 0; k < 3; k++) {
      const modelId = models[(a * 3 + k) % models.length]!.id;
      const fixed = a % 3 === 2 ? '2.0.0' : '1.5.0';
      await db.advisoryAffected.create({
        data: { advisoryId: adv.id, modelId, introduced: '1.0.0', introducedKey: firmwareKey('1.0.0'), fixed, fixedKey: firmwareKey(fixed), fixedReleaseId: releases.find((x) => x.modelId === modelId && x.version === fixed)?.id ?? null },
      });
    }
  }

  // Contacts through the stream's upsert, 20,000 rows a statement.
  const ports = [443, 80, 53, 123, 8883];
  const local = [1883, 5353, 80, 23, 445, 1900];
  const t0 = performance.now();
  let batch: ContactRow[] = [];
  const at = new Date().toISOString();
  for (let i = 0; i < DEVICES; i++) {
    const seg = Math.floor(i / PER_SEGMENT);
    const used = new Set<string>();
    const add = (peerIp: string, port: number, outbound: boolean) => {
      const k = `${peerIp}|${port}`;
      if (used.has(k)) return false;
      used.add(k);
      const count = 1 + r(40);
      batch.push({ deviceId: deviceIds[i]!, peerIp, port, protocol: 'tcp', outbound, firstSeenAt: at, lastSeenAt: at, bytes: count * (200 + r(5000)), packets: count * 4, count });
      return true;
    };
    for (let n = 0; n < EXTERNAL; ) if (add(`52.${r(64)}.${r(256)}.${1 + r(254)}`, ports[r(ports.length)]!, true)) n++;
    for (let n = 0; n < SAME_SEGMENT; ) {
      const j = seg * PER_SEGMENT + r(PER_SEGMENT);
      if (j !== i && add(ipOf(j), local[r(local.length)]!, r(4) !== 0)) n++;
    }
    for (let n = 0; n < CONTACTS_PER_DEVICE - EXTERNAL - SAME_SEGMENT; ) {
      const j = r(DEVICES);
      if (Math.floor(j / PER_SEGMENT) !== seg && add(ipOf(j), local[r(local.length)]!, true)) n++;
    }
    if (batch.length >= 20_000) {
      await upsertDeviceContacts(sql, batch);
      batch = [];
      if (i % 2000 === 1999) log(`  contacts: ${(i + 1) * CONTACTS_PER_DEVICE} rows`);
    }
  }
  if (batch.length) await upsertDeviceContacts(sql, batch);
  const contactsMs = performance.now() - t0;
  await sql.query('VACUUM ANALYZE device_contacts');
  await sql.query('VACUUM ANALYZE devices');

  // Three scanning devices of one segment, on a model an advisory affects.
  const affected = await db.advisoryAffected.findFirstOrThrow({ select: { modelId: true } });
  const seg = 17;
  const candidates = rows.filter((d, i) => Math.floor(i / PER_SEGMENT) === seg && d.modelId === affected.modelId && (firmwareKey(d.firmwareVersion) ?? '') < (firmwareKey('1.5.0') ?? ''));
  const compromised = candidates.slice(0, 3).map((d) => d.id);
  const incidentId = randomUUID();
  const now = new Date();
  await db.incident.create({
    data: { id: incidentId, correlationKey: `segment:${segmentIds[seg]}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 'telnet scan on seg-17', severity: 'CRITICAL', segmentId: segmentIds[seg]!, deviceIds: compromised, firstAlertAt: now, lastAlertAt: now },
  });
  return { deviceIds, segmentIds, incidentId, compromised, contactsMs };
}

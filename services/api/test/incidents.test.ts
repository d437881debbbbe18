import { beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startApi } from './harness.js';

const api = await startApi();
let admin: string;
let viewer: string;

beforeAll(async () => {
  [admin, viewer] = await Promise.all([api.signIn('ADMIN'), api.signIn('VIEWER')]);
});

describe('detection settings', () => {
  it('refuses a configuration with a typo or an out-of-range value, naming the field; a valid one is stored with its defaults filled in', async () => {
    const bad = await api.gql('mutation { updateDetectionConfig(config: {fanOut: {distinctPeer: 5}}) { config } }', {}, admin);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('fanOut');
    const low = await api.gql('mutation { updateDetectionConfig(config: {fanOut: {distinctPeers: 1}}) { config } }', {}, admin);
    expect(low.errors![0]!.message).toMatch(/fanOut\.distinctPeers/);

    const ok = await api.gql<{ updateDetectionConfig: { config: { fanOut: { distinctPeers: number; windowSeconds: number } } } }>(
      'mutation { updateDetectionConfig(config: {fanOut: {distinctPeers: 25}}) { config } }',
      {},
      admin,
    );
    expect(ok.data!.updateDetectionConfig.config.fanOut).toMatchObject({ distinctPeers: 25, windowSeconds: 60 });
    const read = await api.gql<{ detectionConfig: { config: { fanOut: { distinctPeers: number } }; updatedBy: string } }>('{ detectionConfig { config updatedBy } }', {}, admin);
    expect(read.data!.detectionConfig.config.fanOut.distinctPeers).toBe(25);
  });

  it('manages the threat-intel list: clear errors, no duplicates, removal', async () => {
    const bad = await api.gql('mutation { addThreatIntel(entries: [{value: "evil.example"}]) { id } }', {}, admin);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('IPv4/IPv6 address or CIDR');
    const add = 'mutation($e: [ThreatIntelInput!]!) { addThreatIntel(entries: $e) { id value } }';
    await api.gql(add, { e: [{ value: '198.51.100.7', label: 'C2' }, { value: '203.0.113.0/24' }] }, admin);
    const again = await api.gql<{ addThreatIntel: { id: string }[] }>(add, { e: [{ value: '198.51.100.7' }] }, admin);
    const list = await api.gql<{ threatIntel: { id: string; value: string; label: string | null }[] }>('{ threatIntel { id value label } }', {}, admin);
    expect(list.data!.threatIntel.map((t) => t.value).sort()).toEqual(['198.51.100.7', '203.0.113.0/24']);
    expect(list.data!.threatIntel.find((t) => t.value === '198.51.100.7')!.label).toBe('C2');
    const removed = await api.gql<{ removeThreatIntel: number }>('mutation($ids: [ID!]!) { removeThreatIntel(ids: $ids) }', { ids: [again.data!.addThreatIntel[0]!.id] }, admin);
    expect(removed.data!.removeThreatIntel).toBe(1);
    expect(codeOf(await api.gql('{ threatIntel { id } }', {}, viewer))).toBe('FORBIDDEN');
  });
});

describe('alerts and incidents', () => {
  it('pages alerts newest first with filters', async () => {
    const base = Date.parse('2026-11-20T10:00:00Z');
    await api.db.alert.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        id: crypto.randomUUID(),
        dedupKey: `TRAFFIC_ANOMALY:device:x:${i}`,
        rule: i % 2 ? 'TRAFFIC_ANOMALY' : 'AUTH_FAILURE_BURST',
        severity: 'MEDIUM',
        summary: `alert ${i}`,
        windowStart: new Date(base + i * 1000),
        observedAt: new Date(base + i * 1000),
      })),
    });
    const q = 'query($after: String, $f: AlertFilter) { alerts(first: 2, after: $after, filter: $f) { nodes { summary } pageInfo { hasNextPage endCursor } } }';
    type Page = { alerts: { nodes: { summary: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const p1 = await api.gql<Page>(q, {}, viewer);
    expect(p1.data!.alerts.nodes.map((n) => n.summary)).toEqual(['alert 4', 'alert 3']);
    const p2 = await api.gql<Page>(q, { after: p1.data!.alerts.pageInfo.endCursor }, viewer);
    expect(p2.data!.alerts.nodes.map((n) => n.summary)).toEqual(['alert 2', 'alert 1']);
    const only = await api.gql<Page>(q, { f: { rules: ['TRAFFIC_ANOMALY'] } }, viewer);
    expect(only.data!.alerts.nodes.map((n) => n.summary)).toEqual(['alert 3', 'alert 1']);
    expect(codeOf(await api.gql(q, { after: 'garbage' }, viewer))).toBe('BAD_USER_INPUT');
  });

  it('closing an OPEN incident needs a not-an-incident resolution', async () => {
    const responder = await api.signIn('RESPONDER');
    const id = crypto.randomUUID();
    await api.db.incident.create({ data: { id, correlationKey: `device:${id}:WORM_FAN_OUT`, rule: 'WORM_FAN_OUT', title: 't', severity: 'LOW', firstAlertAt: new Date(), lastAlertAt: new Date() } });
    const close = 'mutation($id: ID!, $r: IncidentResolution) { updateIncidentStatus(id: $id, status: CLOSED, resolution: $r) { status resolution closedAt } }';
    const r1 = await api.gql(close, { id }, responder);
    expect(codeOf(r1)).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(close, { id, r: 'RESOLVED' }, responder))).toBe('BAD_USER_INPUT');
    const ok = await api.gql<{ updateIncidentStatus: { status: string; resolution: string; closedAt: string } }>(close, { id, r: 'FALSE_POSITIVE' }, responder);
    expect(ok.data!.updateIncidentStatus).toMatchObject({ status: 'CLOSED', resolution: 'FALSE_POSITIVE', closedAt: expect.any(String) });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerService } from '@warden/worker/service';
import { startWarden } from './harness.js';

/**
 * `warden incidents list` and `warden playbooks …` against a real API (and, for runs, the real
 * worker), over incidents as detection stores them.
 */
const warden = await startWarden();
const worker = createWorkerService(warden.config);
const ids = { worm: randomUUID(), silence: randomUUID(), closed: randomUUID(), firmware: randomUUID() };

const CONTAIN = `name: cli-contain
title: Quarantine and re-key the scanning devices
steps:
  - id: quarantine-infected
    type: quarantine
    targets: incident.devices
    reason: worm-like scanning
  - id: rotate-credentials
    type: rotate_credentials
    targets: incident.devices
  - id: isolate-floor
    type: isolate_segment
    when: { field: incident.severity, op: gte, value: CRITICAL }
    targets: incident.segments
`;

/** Steps the worker runs today without containment connectors: a pause, then a notification. */
const SETTLE = `name: cli-settle
steps:
  - id: settle
    type: wait
    duration: 1s
  - id: tell
    type: notify_webhook
    event: playbook.cli-settle
    message: settled
`;

/** An approval nobody gives in time: the run stops, as a rejection would. */
const UNAPPROVED = `name: cli-unapproved
steps:
  - id: sign-off
    type: require_approval
    message: isolate the floor?
    timeout: 4s
  - id: settle
    type: wait
    duration: 1s
`;

beforeAll(async () => {
  const site = await warden.db.site.create({ data: { code: 'hq', name: 'Headquarters' } });
  const floor = await warden.db.segment.create({ data: { siteId: site.id, name: 'iot-1', cidr: '10.1.0.0/16', zone: 'IOT' } });
  const other = await warden.db.segment.create({ data: { siteId: site.id, name: 'iot-2', cidr: '10.2.0.0/16', zone: 'IOT' } });
  const model = await warden.db.deviceModel.create({ data: { vendor: 'Lumen', name: 'Cam-200', kind: 'CAMERA' } });
  const cams = await Promise.all(
    [1, 2, 3].map((i) => warden.db.device.create({ data: { serial: `CAM-${i}`, controllerId: `CAM-${i}`, name: `cam ${i}`, kind: 'CAMERA', modelId: model.id, segmentId: floor.id } })),
  );
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
  const incident = (id: string, o: { rule: string; severity: string; status: string; segmentId: string | null; devices: string[]; minutesAgo: number; title: string }) =>
    warden.db.incident.create({
      data: {
        id,
        correlationKey: `segment:${o.segmentId}:${o.rule}`,
        rule: o.rule,
        segmentId: o.segmentId,
        title: o.title,
        severity: o.severity,
        status: o.status,
        deviceIds: o.devices,
        alertCount: o.devices.length || 1,
        firstAlertAt: at(o.minutesAgo + 5),
        lastAlertAt: at(o.minutesAgo),
      },
    });
  await incident(ids.worm, { rule: 'WORM_FAN_OUT', severity: 'CRITICAL', status: 'OPEN', segmentId: floor.id, devices: cams.map((c) => c.id), minutesAgo: 2, title: 'WORM_FAN_OUT: cam 1 contacted 14 peers on 23, 445' });
  await incident(ids.silence, { rule: 'SEGMENT_SILENCE', severity: 'HIGH', status: 'TRIAGED', segmentId: other.id, devices: [], minutesAgo: 10, title: 'SEGMENT_SILENCE: 6 of 20 devices went offline' });
  await incident(ids.closed, { rule: 'WORM_FAN_OUT', severity: 'HIGH', status: 'CLOSED', segmentId: floor.id, devices: [cams[0]!.id], minutesAgo: 600, title: 'WORM_FAN_OUT: an old one' });
  for (const source of [CONTAIN, SETTLE, UNAPPROVED]) await warden.gql('mutation($s: String!) { createPlaybook(source: $s) { id } }', { s: source }, warden.keys.ADMIN);
  await worker.start();
  await incident(ids.firmware, { rule: 'FIRMWARE_HASH_MISMATCH', severity: 'MEDIUM', status: 'CONTAINED', segmentId: null, devices: [cams[2]!.id], minutesAgo: 30, title: 'FIRMWARE_HASH_MISMATCH: image is not 2.1.0' });
});

afterAll(async () => {
  await worker.stop();
  await warden.stop();
});

/** Every row of the tables a playbook could touch (but API keys, whose last use each call records). */
async function everything(): Promise<string> {
  const tables = ['devices', 'device_credentials', 'segments', 'incidents', 'incident_timeline', 'audit_log', 'playbooks', 'playbook_runs', 'containments', 'rollouts', 'update_actions'];
  const parts = await Promise.all(
    tables.map(async (t) => {
      const { rows } = await warden.sql.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`);
      return `${t}:${rows[0].n}/${rows[0].h}`;
    }),
  );
  return parts.join('\n');
}

describe('warden incidents list', () => {
  it('lists incidents most recently active first, as a table', async () => {
    const r = await warden.cli(['incidents', 'list'], { key: warden.keys.VIEWER });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+SEVERITY\s+STATUS\s+RULE\s+SEGMENT\s+DEVICES\s+ALERTS\s+LAST ALERT\s+ASSIGNEE\s+TITLE$/);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([ids.worm, ids.silence, ids.firmware, ids.closed]);
    expect(rows[0]).toMatch(/CRITICAL\s+OPEN\s+WORM_FAN_OUT\s+hq\/iot-1\s+3\s+3\s+2m ago\s+-\s+WORM_FAN_OUT: cam 1/);
  });

  it('filters by status, severity and segment, and prints JSON for scripts', async () => {
    const open = await warden.cli(['incidents', 'list', '--open', '--severity', 'high,critical', '--json']);
    const list = JSON.parse(open.stdout) as { id: string; status: string; deviceIds: string[]; segment: { name: string } | null }[];
    expect(list.map((i) => [i.id, i.status])).toEqual([
      [ids.worm, 'OPEN'],
      [ids.silence, 'TRIAGED'],
    ]);
    expect(list[0]!.deviceIds).toHaveLength(3);
    const closed = await warden.cli(['incidents', 'list', '--status', 'closed', '--segment', 'hq/iot-1', '--json']);
    expect(JSON.parse(closed.stdout).map((i: { id: string }) => i.id)).toEqual([ids.closed]);
    const limited = await warden.cli(['incidents', 'list', '--limit', '1', '--json']);
    expect(JSON.parse(limited.stdout)).toHaveLength(1);
  });

  it('names a bad filter value', async () => {
    const r = await warden.cli(['incidents', 'list', '--status', 'SOLVED']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--status: unknown value SOLVED; use one of OPEN, TRIAGED, CONTAINED, ERADICATED, RECOVERED, CLOSED');
  });
});

describe('warden playbooks', () => {
  it('lists playbooks by name', async () => {
    const r = await warden.cli(['playbooks', 'list'], { key: warden.keys.VIEWER });
    expect(r.stdout).toMatch(/^cli-contain\s+yes\s+no\s+3\s+1\s+[0-9a-f-]{36}\s+Quarantine and re-key/m);
  });

  it('runs a dry run by default: shows what each step would touch and changes nothing', async () => {
    const before = await everything();
    const r = await warden.cli(['playbooks', 'run', 'cli-contain', '--incident', ids.worm], { key: warden.keys.RESPONDER });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dry run of "cli-contain" on incident ${ids.worm}: nothing was changed.`);
    expect(lines[1]).toMatch(/^#\s+STEP\s+TYPE\s+WOULD\s+TOUCHES$/);
    expect(lines[2]).toMatch(/^1\s+quarantine-infected\s+quarantine\s+RUN\s+3 devices$/);
    expect(lines[3]).toMatch(/^2\s+rotate-credentials\s+rotate_credentials\s+RUN\s+3 devices$/);
    expect(lines[4]).toMatch(/^3\s+isolate-floor\s+isolate_segment\s+RUN\s+1 segment$/);
    expect(lines.at(-1)).toBe('In all: 3 devices, 1 segments, 0 destinations.');
    expect(r.stderr).toContain(`warden playbooks run cli-contain --incident ${ids.worm} --execute`);
    const json = await warden.cli(['playbooks', 'run', 'cli-contain', '--incident', ids.silence, '--json'], { key: warden.keys.RESPONDER });
    const plan = JSON.parse(json.stdout);
    expect(plan.steps.map((s: { id: string; decision: string }) => [s.id, s.decision])).toEqual([
      ['quarantine-infected', 'SKIP'],
      ['rotate-credentials', 'SKIP'],
      ['isolate-floor', 'SKIP'],
    ]);
    expect(await everything()).toBe(before);
  });

  it('runs it with --execute and follows it with --watch until it succeeded', async () => {
    const r = await warden.cli(['playbooks', 'run', 'cli-settle', '--incident', ids.firmware, '--execute', '--watch'], { key: warden.keys.RESPONDER });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('  1. settle (wait): SUCCEEDED');
    expect(lines.some((l) => l.startsWith('  2. tell (notify_webhook): SUCCEEDED'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Run [0-9a-f-]{36} of "cli-settle": SUCCEEDED\.$/);
    expect(r.code).toBe(0);
    const run = await warden.db.playbookRun.findFirstOrThrow({ where: { incidentId: ids.firmware } });
    expect(run).toMatchObject({ dryRun: false, status: 'SUCCEEDED' });
  });

  it('says when a run waits for an approval, and exits non-zero when it fails, with the step and why', async () => {
    const r = await warden.cli(['playbooks', 'run', 'cli-unapproved', '--incident', ids.firmware, '--execute', '--watch'], { key: warden.keys.RESPONDER });
    expect(r.stderr).toMatch(/^Run [0-9a-f-]{36} waits for an approval of step sign-off/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('  1. sign-off (require_approval): AWAITING_APPROVAL');
    expect(lines.some((l) => /^ {2}1\. sign-off \(require_approval\): FAILED — .+/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/of "cli-unapproved": FAILED\.$/);
    expect(r.code).toBe(1);
  });

  it('refuses to run for a VIEWER key, and names an unknown playbook', async () => {
    const viewer = await warden.cli(['playbooks', 'run', 'cli-contain', '--incident', ids.worm, '--execute'], { key: warden.keys.VIEWER });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^warden: FORBIDDEN: /);
    const unknown = await warden.cli(['playbooks', 'run', 'no-such-playbook', '--incident', ids.worm], { key: warden.keys.RESPONDER });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND: no playbook named "no-such-playbook"');
    expect(await warden.db.playbookRun.count({ where: { incidentId: ids.worm } })).toBe(0);
  });
});

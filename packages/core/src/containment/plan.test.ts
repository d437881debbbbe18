import { describe, expect, it } from 'vitest';
import { containmentEventSchema } from '@warden/contracts/incidents';
import { containmentEvent, deviceContainmentState, type ContainmentFacts } from './events.js';
import { checkDestination, incidentContainment, planDevices, planSegmentIsolation, planUndo, requestSummary, stepsToContained, type PlanDevice, type Touched } from './plan.js';

const dev = (id: string, over: Partial<PlanDevice> = {}): PlanDevice => ({ id, serial: id.toUpperCase(), status: 'ACTIVE', failSafe: false, activeCredentials: 1, ...over });
const none = new Map<string, string>();

describe('planDevices', () => {
  it('quarantines ordinary devices and leaves fail-safe ones alone without an override', () => {
    const p = planDevices('QUARANTINE_DEVICES', [dev('bulb'), dev('cam', { failSafe: true })], { overrideFailSafe: false, activeByDevice: none });
    expect(p.apply.map((d) => d.id)).toEqual(['bulb']);
    expect(p.skip).toEqual([{ deviceId: 'cam', serial: 'CAM', reason: 'FAIL_SAFE', message: expect.stringContaining('overrideFailSafe') }]);
  });

  it('cuts fail-safe devices off with an override', () => {
    const p = planDevices('QUARANTINE_DEVICES', [dev('cam', { failSafe: true })], { overrideFailSafe: true, activeByDevice: none });
    expect(p.apply.map((d) => d.id)).toEqual(['cam']);
    expect(p.skip).toEqual([]);
  });

  it('does not hold credential changes back for fail-safe devices (they do not cut the network)', () => {
    for (const kind of ['ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS'] as const) {
      expect(planDevices(kind, [dev('cam', { failSafe: true })], { overrideFailSafe: false, activeByDevice: none }).apply).toHaveLength(1);
    }
  });

  it('skips retired devices and devices already under the same containment, naming it', () => {
    const active = new Map([['bulb', 'c-1']]);
    const p = planDevices('QUARANTINE_DEVICES', [dev('bulb'), dev('old', { status: 'RETIRED' }), dev('tv')], { overrideFailSafe: false, activeByDevice: active });
    expect(p.apply.map((d) => d.id)).toEqual(['tv']);
    expect(p.skip.map((s) => [s.deviceId, s.reason, s.coveredById])).toEqual([
      ['bulb', 'ALREADY_CONTAINED', 'c-1'],
      ['old', 'RETIRED', undefined],
    ]);
  });

  it('rotates again even when a rotation is in force, but does not revoke twice or revoke nothing', () => {
    const active = new Map([['bulb', 'c-1']]);
    expect(planDevices('ROTATE_CREDENTIALS', [dev('bulb')], { overrideFailSafe: false, activeByDevice: active }).apply).toHaveLength(1);
    expect(planDevices('REVOKE_CREDENTIALS', [dev('bulb')], { overrideFailSafe: false, activeByDevice: active }).skip[0]!.reason).toBe('ALREADY_CONTAINED');
    expect(planDevices('REVOKE_CREDENTIALS', [dev('tv', { activeCredentials: 0 })], { overrideFailSafe: false, activeByDevice: none }).skip[0]!.reason).toBe('NO_CREDENTIALS');
  });
});

describe('planSegmentIsolation', () => {
  const seg = { id: 's', name: 'iot-1' };
  it('isolates the segment but exempts its fail-safe devices without an override', () => {
    const p = planSegmentIsolation(seg, [dev('bulb'), dev('reader', { failSafe: true })], { overrideFailSafe: false, activeId: null });
    expect(p.apply).toBe(true);
    expect(p.exempt.map((d) => d.id)).toEqual(['reader']);
    expect(p.skip[0]).toMatchObject({ deviceId: 'reader', reason: 'FAIL_SAFE' });
  });

  it('exempts nobody with an override, and does nothing when the segment is already isolated', () => {
    expect(planSegmentIsolation(seg, [dev('reader', { failSafe: true })], { overrideFailSafe: true, activeId: null }).exempt).toEqual([]);
    const again = planSegmentIsolation(seg, [dev('bulb')], { overrideFailSafe: false, activeId: 'c-9' });
    expect(again).toMatchObject({ apply: false, coveredById: 'c-9', skip: [{ reason: 'ALREADY_CONTAINED' }] });
  });
});

describe('checkDestination', () => {
  it('canonicalises addresses and networks', () => {
    expect(checkDestination('198.51.100.7')).toEqual({ ok: true, cidr: '198.51.100.7/32' });
    expect(checkDestination(' 203.0.113.0/24 ')).toEqual({ ok: true, cidr: '203.0.113.0/24' });
    expect(checkDestination('2001:db8:bad::/48')).toEqual({ ok: true, cidr: '2001:db8:bad::/48' });
    expect(checkDestination('2001:DB8::0:1')).toEqual({ ok: true, cidr: '2001:db8::1/128' });
  });

  it('refuses junk, host bits, whole-internet blocks and the management channel', () => {
    expect(checkDestination('evil.example')).toMatchObject({ ok: false, message: expect.stringContaining('not an IP address or a CIDR') });
    expect(checkDestination('10.0.0.5/24')).toMatchObject({ ok: false, message: expect.stringContaining('did you mean 10.0.0.0/24') });
    expect(checkDestination('0.0.0.0/0')).toMatchObject({ ok: false, message: expect.stringContaining('too wide') });
    expect(checkDestination('10.9.0.0/16', ['10.9.1.1'])).toMatchObject({ ok: false, message: expect.stringContaining('management channel') });
    expect(checkDestination('10.8.0.0/16', ['10.9.1.1', 'warden.example.com'])).toEqual({ ok: true, cidr: '10.8.0.0/16' });
  });
});

describe('planUndo', () => {
  it('restores the status a quarantined device had, unless another quarantine holds it or it was retired', () => {
    const t = { kind: 'QUARANTINE_DEVICES', previousStatus: 'PROVISIONING' } as const;
    expect(planUndo(t, { deviceId: 'd', currentStatus: 'QUARANTINED' })[0]).toEqual({ type: 'RESTORE_STATUS', deviceId: 'd', to: 'PROVISIONING' });
    expect(planUndo(t, { deviceId: 'd', currentStatus: 'QUARANTINED', otherQuarantineId: 'c-2' })).toEqual([{ type: 'KEEP_STATUS', deviceId: 'd', why: expect.stringContaining('c-2') }]);
    expect(planUndo(t, { deviceId: 'd', currentStatus: 'RETIRED' })[0]!.type).toBe('KEEP_STATUS');
  });

  it('reinstates revoked tokens and revokes a rotation’s new ones, unless credentials changed since', () => {
    const rot: Touched = { kind: 'ROTATE_CREDENTIALS', revokedCredentialIds: ['old'], issuedCredentialIds: ['new'] };
    expect(planUndo(rot, { deviceId: 'd', currentStatus: 'ACTIVE' })).toEqual([
      { type: 'REINSTATE_CREDENTIALS', credentialIds: ['old'] },
      { type: 'REVOKE_CREDENTIALS', credentialIds: ['new'] },
    ]);
    expect(planUndo(rot, { deviceId: 'd', currentStatus: 'ACTIVE', laterCredentialChangeId: 'c-3' })).toEqual([{ type: 'KEEP_CREDENTIALS', why: expect.stringContaining('c-3') }]);
    expect(planUndo({ kind: 'REVOKE_CREDENTIALS', revokedCredentialIds: [] }, { deviceId: 'd', currentStatus: 'ACTIVE' })[0]!.type).toBe('KEEP_CREDENTIALS');
  });

  it('lifts network blocks', () => {
    expect(planUndo({ kind: 'BLOCK_DESTINATION', destination: '198.51.100.7/32' }, { deviceId: null })).toEqual([{ type: 'LIFT_NETWORK_BLOCK', target: 'destination 198.51.100.7/32' }]);
  });
});

describe('incidentContainment', () => {
  const segmentOf = new Map([
    ['a', 's1'],
    ['b', 's1'],
    ['c', 's2'],
  ]);
  it('counts quarantined devices and devices on an isolated segment that are not exempt', () => {
    const facts = { quarantined: new Set(['c']), isolatedSegments: new Map([['s1', new Set<string>()]]), segmentOf };
    expect(incidentContainment({ deviceIds: ['a', 'b', 'c'], segmentId: 's1' }, facts)).toEqual({ contained: true, uncontained: [] });
  });

  it('is not contained while one device is free or exempt from its segment’s isolation', () => {
    const exempt = { quarantined: new Set(['c']), isolatedSegments: new Map([['s1', new Set(['b'])]]), segmentOf };
    expect(incidentContainment({ deviceIds: ['a', 'b', 'c'], segmentId: 's1' }, exempt)).toEqual({ contained: false, uncontained: ['b'] });
    const free = { quarantined: new Set(['a']), isolatedSegments: new Map(), segmentOf };
    expect(incidentContainment({ deviceIds: ['a', 'b'], segmentId: null }, free).uncontained).toEqual(['b']);
  });

  it('moves only forward, and only from OPEN or TRIAGED', () => {
    expect(stepsToContained('OPEN')).toEqual(['TRIAGED', 'CONTAINED']);
    expect(stepsToContained('TRIAGED')).toEqual(['CONTAINED']);
    for (const s of ['CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED']) expect(stepsToContained(s)).toEqual([]);
  });
});

describe('events and device state', () => {
  const base: ContainmentFacts = {
    id: '0b6f7a3c-5d2e-4f1a-9c8b-7e6d5c4b3a21',
    kind: 'QUARANTINE_DEVICES',
    status: 'PENDING',
    version: 1,
    deviceId: '7d0f2c1e-2b1a-4c3d-9e8f-1a2b3c4d5e6f',
    segmentId: null,
    destination: null,
    actor: 'user:1',
    reason: 'scan',
    incidentId: null,
    expiresAt: null,
    createdAt: new Date('2026-03-01T10:00:00Z'),
    touched: { kind: 'QUARANTINE_DEVICES', previousStatus: 'ACTIVE' },
  };
  const at = new Date('2026-03-01T10:00:01Z');
  const mgmt = [{ host: 'warden.example.com', port: 443 }];

  it('publishes APPLIED while in force and RELEASED after, with the management channel', () => {
    expect(containmentEvent(base, { managementAllow: mgmt, at })).toMatchObject({ status: 'APPLIED', version: 1, target: { kind: 'DEVICES' }, managementAllow: mgmt });
    expect(containmentEvent({ ...base, status: 'EXPIRED', version: 2 }, { managementAllow: mgmt, at })).toMatchObject({ status: 'RELEASED', version: 2, reason: 'expired: scan' });
    expect(containmentEvent({ ...base, status: 'SKIPPED' }, { managementAllow: mgmt, at })).toBeNull();
  });

  it('still names a deleted device from its target key, so connectors can release it', () => {
    const gone = { ...base, deviceId: null, status: 'RELEASED' as const, version: 2, targetKey: `device:${base.deviceId}` };
    const e = containmentEvent(gone, { managementAllow: mgmt, at });
    expect(containmentEventSchema.parse(e)).toMatchObject({ status: 'RELEASED', target: { kind: 'DEVICES', devices: [{ id: base.deviceId, ip: null, mac: null }] } });
  });

  it('tells a device it is quarantined, or isolated with its segment unless exempt', () => {
    const device = { id: base.deviceId!, controllerId: 'bulb-1', segmentId: 's1' };
    const iso: ContainmentFacts = { ...base, id: 'iso', kind: 'ISOLATE_SEGMENT', deviceId: null, segmentId: 's1', touched: { kind: 'ISOLATE_SEGMENT', cidr: '10.0.0.0/24', vlan: null, deviceCount: 1, exemptDeviceIds: [] } };
    expect(deviceContainmentState(device, [base, iso], mgmt, at)).toMatchObject({ quarantined: true, segmentIsolated: true, credentialsRevoked: false, containments: [{ containmentId: base.id }, { containmentId: 'iso' }] });
    const exempt = { ...iso, touched: { ...(iso.touched as object), exemptDeviceIds: [device.id] } };
    expect(deviceContainmentState(device, [exempt], mgmt, at)).toMatchObject({ quarantined: false, segmentIsolated: false, containments: [] });
  });

  it('summarises a request for the timeline', () => {
    expect(requestSummary('QUARANTINE_DEVICES', ['B-1', 'B-2'], [{ deviceId: 'c', serial: 'C', reason: 'FAIL_SAFE', message: '' }])).toBe('quarantined B-1, B-2 (skipped: 1 fail-safe)');
  });
});

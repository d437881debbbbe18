import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetryFleet, createTestDatabase, testConfig, type FleetFixture, type TestDatabase } from '@warden/testing';
import { hashSecret } from '../auth/secrets.js';
import { authenticateDevice, createDeviceAuthenticator } from './authenticate-device.js';

let database: TestDatabase;
let fleet: FleetFixture;
const config = testConfig();

beforeAll(async () => {
  database = await createTestDatabase();
  fleet = await createTelemetryFleet(database.db, config.auth.tokenPepper, 3);
});
afterAll(async () => database?.drop());

describe('authenticateDevice', () => {
  it('resolves a device token to its device and a gateway token to its site', async () => {
    const deps = { db: database.db, config };
    const d = fleet.devices[0]!;
    expect(await authenticateDevice(deps, { scheme: 'TargetToken', token: d.token })).toMatchObject({ kind: 'device', deviceId: d.id, controllerId: d.controllerId });
    expect(await authenticateDevice(deps, { scheme: 'GatewayToken', token: fleet.gatewayToken })).toMatchObject({ kind: 'gateway', siteId: fleet.siteId });
    // A device token is not a gateway token.
    await expect(authenticateDevice(deps, { scheme: 'GatewayToken', token: d.token })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses revoked and expired tokens and tokens of retired devices', async () => {
    const deps = { db: database.db, config };
    const [a, b, c] = fleet.devices as [FleetFixture['devices'][0], FleetFixture['devices'][0], FleetFixture['devices'][0]];
    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(a.token, config.auth.tokenPepper) }, data: { revokedAt: new Date() } });
    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(b.token, config.auth.tokenPepper) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await database.db.device.update({ where: { id: c.id }, data: { status: 'RETIRED' } });
    for (const t of [a, b, c]) {
      await expect(authenticateDevice(deps, { scheme: 'TargetToken', token: t.token })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('lets a site gateway speak only for live devices of its site', async () => {
    const auth = createDeviceAuthenticator({ db: database.db, config }, { ttlMs: 1000 });
    const principal = await auth.authenticate({ scheme: 'GatewayToken', token: fleet.gatewayToken });
    const other = await createTelemetryFleet(database.db, config.auth.tokenPepper, 1);
    const forbidden = await auth.forbiddenDevices(principal, [fleet.devices[0]!.id, fleet.devices[2]!.id, other.devices[0]!.id]);
    // devices[2] was retired above; other.devices[0] is in another site.
    expect([...forbidden].sort()).toEqual([fleet.devices[2]!.id, other.devices[0]!.id].sort());
  });

  it('keeps answering from its cache until containment evicts the device, then sees revocation and quarantine at once', async () => {
    const auth = createDeviceAuthenticator({ db: database.db, config }, { ttlMs: 60_000 });
    const fresh = await createTelemetryFleet(database.db, config.auth.tokenPepper, 2);
    const [d, e] = fresh.devices as [FleetFixture['devices'][0], FleetFixture['devices'][0]];
    const gateway = await auth.authenticate({ scheme: 'GatewayToken', token: fresh.gatewayToken });
    expect(await auth.authenticate({ scheme: 'TargetToken', token: d.token })).toMatchObject({ deviceId: d.id, quarantined: false });
    expect(await auth.quarantinedDevices(gateway, [d.id, e.id])).toEqual(new Set());

    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(d.token, config.auth.tokenPepper) }, data: { revokedAt: new Date() } });
    await database.db.device.update({ where: { id: e.id }, data: { status: 'QUARANTINED' } });
    // Cached: still the old answers.
    expect(await auth.authenticate({ scheme: 'TargetToken', token: d.token })).toMatchObject({ deviceId: d.id });
    expect(await auth.quarantinedDevices(gateway, [e.id])).toEqual(new Set());

    auth.evict([d.id, e.id]);
    await expect(auth.authenticate({ scheme: 'TargetToken', token: d.token })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await auth.quarantinedDevices(gateway, [d.id, e.id])).toEqual(new Set([e.id]));

    // The refusal was cached too; reinstating the token and evicting again lets it back in.
    await database.db.deviceCredential.update({ where: { tokenHash: hashSecret(d.token, config.auth.tokenPepper) }, data: { revokedAt: null } });
    auth.evict([d.id]);
    expect(await auth.authenticate({ scheme: 'TargetToken', token: d.token })).toMatchObject({ deviceId: d.id });
  });
});

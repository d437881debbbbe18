import type { Device, Prisma } from '@warden/db';
import { audit, auditMany } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { issueCredentials, type IssuedCredential } from './credentials.js';
import { describeIssues, deviceInputSchema, deviceUpdateSchema, tagSchema, type DeviceInput, type DeviceUpdate } from './device-input.js';
import { assertId } from '../firmware/uuid.js';
import { firmwareKey } from './firmware-version.js';
import { ReferenceIndex } from './references.js';
import { lockRows } from '../locks.js';

function invalid(error: import('zod').ZodError): ValidationError {
  const [first] = describeIssues(error);
  return new ValidationError(`${first!.field}: ${first!.message}`, first!.field);
}

/** What an audit row keeps of a device: enough to see a change, nothing secret. */
function snapshot(d: Device): Record<string, unknown> {
  return {
    name: d.name,
    firmwareVersion: d.firmwareVersion,
    segmentId: d.segmentId,
    ip: d.ip,
    mac: d.mac,
    tags: d.tags,
    location: d.location,
    criticality: d.criticality,
    owner: d.owner,
    status: d.status,
    failSafe: d.failSafe,
  };
}

function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}

export async function getDevice(deps: CoreDeps, actor: Actor, id: string): Promise<Device> {
  requireRole(actor, 'VIEWER');
  const device = await deps.db.device.findUnique({ where: { id } });
  if (!device) throw new NotFoundError('device', id);
  return device;
}

/**
 * Registers one device, and issues its first credential when asked (the token is returned once).
 */
export async function registerDevice(
  deps: CoreDeps,
  actor: Actor,
  input: DeviceInput & { issueCredential?: boolean },
): Promise<{ device: Device; credential: IssuedCredential | null }> {
  requireRole(actor, 'OPERATOR');
  const parsed = deviceInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const row = parsed.data;
  const refs = await ReferenceIndex.load(deps.db);
  const model = refs.model(row.model);
  if (!model) throw new ValidationError(`unknown device model "${row.model}"`, 'model');
  const segmentId = row.segment ? refs.segment(row.segment) : undefined;
  if (row.segment && !segmentId) throw new ValidationError(`unknown segment "${row.segment}"`, 'segment');
  const controllerId = row.controllerId ?? row.serial;

  return deps.db.$transaction(async (tx) => {
    const clash = await tx.device.findFirst({
      where: { OR: [{ serial: row.serial }, { controllerId }] },
      select: { serial: true, controllerId: true },
    });
    if (clash) {
      throw clash.serial === row.serial
        ? new ConflictError(`a device with serial ${row.serial} already exists`, { field: 'serial' })
        : new ConflictError(`controller id ${controllerId} is already used by device ${clash.serial}`, { field: 'controllerId' });
    }
    const device = await tx.device.create({
      data: {
        serial: row.serial,
        controllerId,
        name: row.name ?? row.serial,
        kind: row.kind ?? (model.kind as Device['kind']),
        modelId: model.id,
        firmwareVersion: row.firmwareVersion ?? null,
        firmwareKey: row.firmwareVersion ? firmwareKey(row.firmwareVersion) : null,
        segmentId: segmentId ?? null,
        ip: row.ip ?? null,
        mac: row.mac ?? null,
        tags: [...new Set(row.tags ?? [])].sort(),
        location: row.location ?? null,
        criticality: row.criticality ?? 'MEDIUM',
        owner: row.owner ?? null,
        status: row.status ?? 'PROVISIONING',
        failSafe: row.failSafe ?? false,
        attributes: (row.attributes ?? {}) as Prisma.InputJsonValue,
      },
    });
    await audit(tx, actor, { action: 'device.register', targetType: 'Device', targetId: device.id, summary: { after: snapshot(device) } });
    const [credential] = input.issueCredential ? await issueCredentials(deps, tx, actor, [device.id], 'issue') : [];
    return { device, credential: credential ?? null };
  });
}

export async function updateDevice(deps: CoreDeps, actor: Actor, id: string, input: DeviceUpdate): Promise<Device> {
  requireRole(actor, 'OPERATOR');
  const parsed = deviceUpdateSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const patch = parsed.data;
  assertId('device', id);
  return deps.db.$transaction(async (tx) => {
    // Locked first, as containment locks it: a quarantine committed meanwhile is seen, not overwritten.
    await lockRows(tx, 'devices', id);
    const before = await tx.device.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('device', id);
    if (before.status === 'RETIRED') throw new ConflictError(`device ${before.serial} is retired`);
    if (patch.status && before.status === 'QUARANTINED') {
      throw new ConflictError(`device ${before.serial} is quarantined; release it through containment`, { field: 'status' });
    }
    const data: Prisma.DeviceUpdateInput = {};
    if (patch.name !== undefined) data.name = patch.name;
    if (patch.firmwareVersion !== undefined) {
      data.firmwareVersion = patch.firmwareVersion;
      data.firmwareKey = patch.firmwareVersion ? firmwareKey(patch.firmwareVersion) : null;
    }
    if (patch.ip !== undefined) data.ip = patch.ip;
    if (patch.mac !== undefined) data.mac = patch.mac;
    if (patch.location !== undefined) data.location = patch.location;
    if (patch.criticality !== undefined) data.criticality = patch.criticality;
    if (patch.owner !== undefined) data.owner = patch.owner;
    if (patch.status !== undefined) data.status = patch.status;
    if (patch.failSafe !== undefined) data.failSafe = patch.failSafe;
    if (patch.attributes !== undefined) {
      data.attributes = { ...(before.attributes as Record<string, unknown>), ...patch.attributes } as Prisma.InputJsonValue;
    }
    const after = await tx.device.update({ where: { id }, data });
    await audit(tx, actor, { action: 'device.update', targetType: 'Device', targetId: id, summary: changed(snapshot(before), snapshot(after)) });
    return after;
  });
}

const MAX_BULK = 10_000;

function checkIds(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new ValidationError('give at least one device id', 'ids');
  if (unique.length > MAX_BULK) throw new ValidationError(`at most ${MAX_BULK} devices per call`, 'ids');
  return unique;
}

async function loadAll(tx: Prisma.TransactionClient, ids: string[]): Promise<Device[]> {
  const devices = await tx.device.findMany({ where: { id: { in: ids } } });
  if (devices.length !== ids.length) {
    const found = new Set(devices.map((d) => d.id));
    throw new NotFoundError('device', ids.find((i) => !found.has(i))!);
  }
  return devices;
}

/** Adds and removes tags on many devices at once. */
export async function tagDevices(
  deps: CoreDeps,
  actor: Actor,
  input: { ids: string[]; add?: string[]; remove?: string[] },
): Promise<Device[]> {
  requireRole(actor, 'OPERATOR');
  const ids = checkIds(input.ids);
  const add = (input.add ?? []).map((t, i) => {
    const r = tagSchema.safeParse(t);
    if (!r.success) throw new ValidationError(`add[${i}]: ${r.error.issues[0]!.message}`, 'add');
    return r.data;
  });
  const remove = new Set(input.remove ?? []);
  if (!add.length && !remove.size) throw new ValidationError('give tags to add or remove', 'add');
  return deps.db.$transaction(async (tx) => {
    const devices = await loadAll(tx, ids);
    const out: Device[] = [];
    const entries = [];
    for (const d of devices) {
      const tags = [...new Set([...d.tags.filter((t) => !remove.has(t)), ...add])].sort();
      if (JSON.stringify(tags) === JSON.stringify(d.tags)) {
        out.push(d);
        continue;
      }
      out.push(await tx.device.update({ where: { id: d.id }, data: { tags } }));
      entries.push({ action: 'device.tag', targetType: 'Device', targetId: d.id, summary: { before: { tags: d.tags }, after: { tags } } });
    }
    await auditMany(tx, actor, entries);
    return out;
  });
}

/** Moves devices to another network segment (as after re-cabling or a VLAN change). */
export async function moveDevices(deps: CoreDeps, actor: Actor, input: { ids: string[]; segmentId: string }): Promise<Device[]> {
  requireRole(actor, 'OPERATOR');
  const ids = checkIds(input.ids);
  return deps.db.$transaction(async (tx) => {
    const segment = await tx.segment.findUnique({ where: { id: input.segmentId } });
    if (!segment) throw new NotFoundError('segment', input.segmentId);
    const devices = await loadAll(tx, ids);
    const moving = devices.filter((d) => d.segmentId !== segment.id);
    await tx.device.updateMany({ where: { id: { in: moving.map((d) => d.id) } }, data: { segmentId: segment.id } });
    await auditMany(
      tx,
      actor,
      moving.map((d) => ({
        action: 'device.move',
        targetType: 'Device',
        targetId: d.id,
        summary: { before: { segmentId: d.segmentId }, after: { segmentId: segment.id } },
      })),
    );
    return tx.device.findMany({ where: { id: { in: ids } } });
  });
}

/** Retires a device: it leaves the fleet, and its credentials stop working at once. */
export async function retireDevice(deps: CoreDeps, actor: Actor, input: { id: string; reason?: string }): Promise<Device> {
  requireRole(actor, 'OPERATOR');
  return deps.db.$transaction(async (tx) => {
    const before = await tx.device.findUnique({ where: { id: input.id } });
    if (!before) throw new NotFoundError('device', input.id);
    if (before.status === 'RETIRED') return before;
    const at = new Date();
    const device = await tx.device.update({ where: { id: input.id }, data: { status: 'RETIRED', retiredAt: at } });
    const revoked = await tx.deviceCredential.updateMany({
      where: { deviceId: input.id, revokedAt: null },
      data: { revokedAt: at, revokedBy: actor.name },
    });
    await audit(tx, actor, {
      action: 'device.retire',
      targetType: 'Device',
      targetId: input.id,
      summary: { before: { status: before.status }, after: { status: 'RETIRED' }, reason: input.reason ?? null, credentialsRevoked: revoked.count },
    });
    return device;
  });
}

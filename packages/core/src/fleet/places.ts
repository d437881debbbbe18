import type { DeviceModel, Segment, Site } from '@warden/db';
import { z } from 'zod';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { DEVICE_KINDS } from './device-input.js';

/** Sites (offices), network segments and device models: the places and kinds devices belong to. */

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.join('.') || 'input';
    throw new ValidationError(`${field}: ${i.message}`, field);
  }
  return r.data;
}

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

const name = z.string().trim().min(1, 'is required').max(120);
const siteInput = z.object({
  code: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or -'),
  name,
  address: z.string().trim().max(300).nullish(),
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'is not an IANA time zone')
    .optional(),
});

export async function createSite(deps: CoreDeps, actor: Actor, input: z.input<typeof siteInput>): Promise<Site> {
  requireRole(actor, 'OPERATOR');
  const data = parse(siteInput, input);
  return deps.db.$transaction(async (tx) => {
    try {
      const site = await tx.site.create({ data: { code: data.code, name: data.name, address: data.address ?? null, timezone: data.timezone ?? 'UTC' } });
      await audit(tx, actor, { action: 'site.create', targetType: 'Site', targetId: site.id, summary: { after: data } });
      return site;
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`a site with code ${data.code} already exists`, { field: 'code' });
      throw err;
    }
  });
}

export async function updateSite(deps: CoreDeps, actor: Actor, id: string, input: Partial<z.input<typeof siteInput>>): Promise<Site> {
  requireRole(actor, 'OPERATOR');
  const data = parse(siteInput.partial(), input);
  return deps.db.$transaction(async (tx) => {
    const before = await tx.site.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('site', id);
    try {
      const site = await tx.site.update({ where: { id }, data: { ...data, address: data.address === undefined ? undefined : data.address } });
      await audit(tx, actor, { action: 'site.update', targetType: 'Site', targetId: id, summary: { before: { code: before.code, name: before.name }, after: data } });
      return site;
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`a site with code ${data.code} already exists`, { field: 'code' });
      throw err;
    }
  });
}

export async function deleteSite(deps: CoreDeps, actor: Actor, id: string): Promise<Site> {
  requireRole(actor, 'ADMIN');
  return deps.db.$transaction(async (tx) => {
    const site = await tx.site.findUnique({ where: { id }, include: { _count: { select: { segments: true } } } });
    if (!site) throw new NotFoundError('site', id);
    if (site._count.segments) throw new ConflictError(`site ${site.code} still has ${site._count.segments} segments`);
    await tx.site.delete({ where: { id } });
    await audit(tx, actor, { action: 'site.delete', targetType: 'Site', targetId: id, summary: { before: { code: site.code, name: site.name } } });
    return site;
  });
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const cidr = z
  .string()
  .trim()
  .refine((v) => {
    const m = CIDR.exec(v);
    if (!m) return v.includes(':') && /^[0-9a-fA-F:]+\/\d{1,3}$/.test(v);
    const octets = m.slice(1, 5).map(Number);
    return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
  }, 'is not a CIDR block (e.g. 10.20.0.0/24)');

const segmentInput = z.object({
  siteId: z.uuid('is not an id'),
  name: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits and . _ -'),
  cidr,
  zone: z.enum(['CORPORATE', 'IOT', 'GUEST', 'CRITICAL', 'MANAGEMENT']),
  vlan: z.number().int().min(1).max(4094).nullish(),
});

export async function createSegment(deps: CoreDeps, actor: Actor, input: z.input<typeof segmentInput>): Promise<Segment> {
  requireRole(actor, 'OPERATOR');
  const data = parse(segmentInput, input);
  return deps.db.$transaction(async (tx) => {
    if (!(await tx.site.findUnique({ where: { id: data.siteId } }))) throw new NotFoundError('site', data.siteId);
    try {
      const segment = await tx.segment.create({ data: { ...data, vlan: data.vlan ?? null } });
      await audit(tx, actor, { action: 'segment.create', targetType: 'Segment', targetId: segment.id, summary: { after: data } });
      return segment;
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`segment ${data.name} already exists on this site`, { field: 'name' });
      throw err;
    }
  });
}

export async function updateSegment(
  deps: CoreDeps,
  actor: Actor,
  id: string,
  input: Partial<Omit<z.input<typeof segmentInput>, 'siteId'>>,
): Promise<Segment> {
  requireRole(actor, 'OPERATOR');
  const data = parse(segmentInput.omit({ siteId: true }).partial(), input);
  return deps.db.$transaction(async (tx) => {
    const before = await tx.segment.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('segment', id);
    try {
      const segment = await tx.segment.update({ where: { id }, data });
      await audit(tx, actor, {
        action: 'segment.update',
        targetType: 'Segment',
        targetId: id,
        summary: { before: { name: before.name, cidr: before.cidr, zone: before.zone, vlan: before.vlan }, after: data },
      });
      return segment;
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`segment ${data.name} already exists on this site`, { field: 'name' });
      throw err;
    }
  });
}

export async function deleteSegment(deps: CoreDeps, actor: Actor, id: string): Promise<Segment> {
  requireRole(actor, 'ADMIN');
  return deps.db.$transaction(async (tx) => {
    const segment = await tx.segment.findUnique({ where: { id }, include: { _count: { select: { devices: true } } } });
    if (!segment) throw new NotFoundError('segment', id);
    if (segment._count.devices) throw new ConflictError(`segment ${segment.name} still has ${segment._count.devices} devices; move them first`);
    await tx.segment.delete({ where: { id } });
    await audit(tx, actor, { action: 'segment.delete', targetType: 'Segment', targetId: id, summary: { before: { name: segment.name, cidr: segment.cidr } } });
    return segment;
  });
}

const modelInput = z.object({
  vendor: z.string().trim().min(1).max(80).regex(/^[^/]+$/, 'may not contain /'),
  name: z.string().trim().min(1).max(120).regex(/^[^/]+$/, 'may not contain /'),
  kind: z.enum(DEVICE_KINDS),
  otaCapable: z.boolean().optional(),
});

export async function createDeviceModel(deps: CoreDeps, actor: Actor, input: z.input<typeof modelInput>): Promise<DeviceModel> {
  requireRole(actor, 'OPERATOR');
  const data = parse(modelInput, input);
  return deps.db.$transaction(async (tx) => {
    try {
      const model = await tx.deviceModel.create({ data: { ...data, otaCapable: data.otaCapable ?? true } });
      await audit(tx, actor, { action: 'deviceModel.create', targetType: 'DeviceModel', targetId: model.id, summary: { after: data } });
      return model;
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`model ${data.vendor}/${data.name} already exists`, { field: 'name' });
      throw err;
    }
  });
}

export async function updateDeviceModel(
  deps: CoreDeps,
  actor: Actor,
  id: string,
  input: { otaCapable?: boolean; name?: string },
): Promise<DeviceModel> {
  requireRole(actor, 'OPERATOR');
  const data = parse(modelInput.pick({ otaCapable: true, name: true }).partial(), input);
  return deps.db.$transaction(async (tx) => {
    const before = await tx.deviceModel.findUnique({ where: { id } });
    if (!before) throw new NotFoundError('device model', id);
    const model = await tx.deviceModel.update({ where: { id }, data });
    await audit(tx, actor, {
      action: 'deviceModel.update',
      targetType: 'DeviceModel',
      targetId: id,
      summary: { before: { name: before.name, otaCapable: before.otaCapable }, after: data },
    });
    return model;
  });
}

import type { Playbook as PlaybookRow, Prisma } from '@warden/db';
import { z } from 'zod';
import { audit } from '../audit/audit.js';
import { requireRole, type Actor } from '../auth/roles.js';
import { now, type CoreDeps } from '../context.js';
import { ConflictError, NotFoundError, ValidationError, WardenError } from '../errors.js';
import { parsePlaybook, type PlaybookIssue } from './parse.js';
import { TERMINAL_RUN_STATUSES } from './run-store.js';
import type { Playbook } from './schema.js';

/** Largest playbook source accepted. */
export const MAX_PLAYBOOK_SOURCE = 100_000;

const UUID = z.uuid();
export const playbookUuid = (id: string, field = 'id'): string => {
  if (!UUID.safeParse(id).success) throw new ValidationError(`${field}: not an id`, field);
  return id;
};

/** JSON when the text starts as a JSON object, YAML otherwise (JSON is YAML; the format is kept for editors). */
export const sourceFormat = (source: string): 'JSON' | 'YAML' => (source.trimStart().startsWith('{') ? 'JSON' : 'YAML');

function parseSource(source: unknown): Playbook {
  if (typeof source !== 'string' || !source.trim()) throw new ValidationError('source: the playbook, as YAML or JSON', 'source');
  if (source.length > MAX_PLAYBOOK_SOURCE) throw new ValidationError(`source: at most ${MAX_PLAYBOOK_SOURCE.toLocaleString('en')} characters`, 'source');
  return parsePlaybook(source);
}

/** Validates a playbook without storing it: the parsed definition, or every problem by path and line. */
export function validatePlaybookSource(source: string): { valid: true; playbook: Playbook; issues: [] } | { valid: false; playbook: null; issues: PlaybookIssue[] } {
  try {
    return { valid: true, playbook: parseSource(source), issues: [] };
  } catch (err) {
    if (err instanceof ValidationError) {
      const issues = (err.details?.issues as PlaybookIssue[] | undefined) ?? [{ path: err.field ?? '(root)', message: err.message }];
      return { valid: false, playbook: null, issues };
    }
    throw err;
  }
}

/** The definition as stored for readers: what the source says, with defaults filled in. */
const stored = (p: Playbook): Prisma.InputJsonValue => JSON.parse(JSON.stringify(p)) as Prisma.InputJsonValue;

function fields(p: Playbook, source: string) {
  return {
    name: p.name,
    title: p.title ?? null,
    description: p.description ?? null,
    format: sourceFormat(source),
    source,
    definition: stored(p),
    autoTrigger: p.trigger?.auto ?? false,
  };
}

async function uniqueName<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof WardenError) && (err as { code?: string }).code === 'P2002') throw new ConflictError(`a playbook named "${name}" exists`, { field: 'name' });
    throw err;
  }
}

/** Stores a new playbook (ADMIN), validated: a bad definition is refused with every problem by path and line. */
export async function createPlaybook(deps: CoreDeps, actor: Actor, input: { source: string; enabled?: boolean | null; builtIn?: boolean }): Promise<PlaybookRow> {
  requireRole(actor, 'ADMIN');
  const p = parseSource(input.source);
  return uniqueName(p.name, () =>
    deps.db.$transaction(async (tx) => {
      const at = now(deps);
      const row = await tx.playbook.create({
        data: { ...fields(p, input.source), enabled: input.enabled ?? true, builtIn: input.builtIn ?? false, createdBy: actor.name, updatedBy: actor.name, createdAt: at, updatedAt: at },
      });
      await audit(tx, actor, { action: 'playbook.create', targetType: 'Playbook', targetId: row.id, summary: { name: row.name, version: 1, enabled: row.enabled, steps: p.steps.length } });
      return row;
    }),
  );
}

/** Replaces a playbook's source (ADMIN); its version goes up when the text changes. Runs keep the plan they started with. */
export async function updatePlaybook(deps: CoreDeps, actor: Actor, id: string, input: { source: string }): Promise<PlaybookRow> {
  requireRole(actor, 'ADMIN');
  playbookUuid(id);
  const p = parseSource(input.source);
  return uniqueName(p.name, () =>
    deps.db.$transaction(async (tx) => {
      const [before] = await tx.$queryRaw<{ version: number; source: string; name: string }[]>`SELECT version, source, name FROM playbooks WHERE id = ${id}::uuid FOR UPDATE`;
      if (!before) throw new NotFoundError('playbook', id);
      const changed = before.source !== input.source;
      const row = await tx.playbook.update({
        where: { id },
        data: changed ? { ...fields(p, input.source), version: before.version + 1, updatedBy: actor.name, updatedAt: now(deps) } : {},
      });
      await audit(tx, actor, {
        action: 'playbook.update',
        targetType: 'Playbook',
        targetId: id,
        summary: { name: row.name, renamedFrom: before.name !== row.name ? before.name : undefined, fromVersion: before.version, toVersion: row.version, changed },
      });
      return row;
    }),
  );
}

/** Deletes a playbook (ADMIN). Refused while one of its runs is still going; finished runs keep its name and version. */
export async function deletePlaybook(deps: CoreDeps, actor: Actor, id: string): Promise<PlaybookRow> {
  requireRole(actor, 'ADMIN');
  playbookUuid(id);
  return deps.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM playbooks WHERE id = ${id}::uuid FOR UPDATE`;
    if (!row) throw new NotFoundError('playbook', id);
    const active = await tx.playbookRun.findMany({ where: { playbookId: id, status: { notIn: [...TERMINAL_RUN_STATUSES] } }, select: { id: true }, take: 5 });
    if (active.length) throw new ConflictError(`the playbook has runs in progress (${active.map((r) => r.id).join(', ')}): cancel them first`, { runs: active.map((r) => r.id) });
    const deleted = await tx.playbook.delete({ where: { id } });
    await audit(tx, actor, { action: 'playbook.delete', targetType: 'Playbook', targetId: id, summary: { name: deleted.name, version: deleted.version } });
    return deleted;
  });
}

/** Enables or disables a playbook (ADMIN): a disabled playbook neither triggers nor runs; runs in progress go on. */
export async function setPlaybookEnabled(deps: CoreDeps, actor: Actor, id: string, enabled: boolean): Promise<PlaybookRow> {
  requireRole(actor, 'ADMIN');
  playbookUuid(id);
  return deps.db.$transaction(async (tx) => {
    const before = await tx.playbook.findUnique({ where: { id }, select: { enabled: true } });
    if (!before) throw new NotFoundError('playbook', id);
    const row = await tx.playbook.update({ where: { id }, data: { enabled, updatedBy: actor.name, updatedAt: now(deps) } });
    await audit(tx, actor, { action: 'playbook.setEnabled', targetType: 'Playbook', targetId: id, summary: { name: row.name, from: before.enabled, to: enabled } });
    return row;
  });
}

/** Playbooks by name (VIEWER). */
export async function listPlaybooks(deps: CoreDeps, actor: Actor, filter: { enabled?: boolean | null } = {}): Promise<PlaybookRow[]> {
  requireRole(actor, 'VIEWER');
  return deps.db.playbook.findMany({ where: filter.enabled != null ? { enabled: filter.enabled } : {}, orderBy: { name: 'asc' } });
}

export async function getPlaybook(deps: CoreDeps, actor: Actor, id: string): Promise<PlaybookRow | null> {
  requireRole(actor, 'VIEWER');
  if (!UUID.safeParse(id).success) return null;
  return deps.db.playbook.findUnique({ where: { id } });
}

/** The validated definition of a stored playbook (its source is re-read: what was validated is what runs). */
export const definitionOf = (row: Pick<PlaybookRow, 'source'>): Playbook => parsePlaybook(row.source);

import { Prisma } from '@warden/db';
import type { Tx } from './audit/audit.js';

/** Tables whose rows a use-case locks before it reads them to write them back. */
export type LockableTable = 'devices' | 'incidents' | 'rollouts' | 'webhook_subscriptions' | 'containments';

/**
 * Locks rows (FOR UPDATE) until the transaction ends, so a read-modify-write sees every change
 * committed before it and none made during it. Several rows are locked in id order: transactions
 * locking overlapping sets wait for each other instead of deadlocking. Resolves to the ids found.
 */
export async function lockRows(tx: Tx, table: LockableTable, ids: string | readonly string[]): Promise<string[]> {
  const list = typeof ids === 'string' ? [ids] : [...ids];
  if (!list.length) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM ${Prisma.raw(table)} WHERE id = ANY(${list}::uuid[]) ORDER BY id FOR UPDATE`;
  return rows.map((r) => r.id);
}

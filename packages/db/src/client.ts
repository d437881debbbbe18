import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type Db = PrismaClient;

/** A Prisma client on the `pg` driver adapter (no binary engine at run time). */
export function createDb(connectionString: string, opts: { poolSize?: number; onPoolError?: (err: Error) => void } = {}): Db {
  // Idle connections dropped by the server must not crash the process (see createSqlPool).
  const adapter = new PrismaPg({ connectionString, max: opts.poolSize ?? 10 }, { onPoolError: opts.onPoolError ?? (() => {}) });
  return new PrismaClient({ adapter });
}

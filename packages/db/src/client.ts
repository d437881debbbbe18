import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type Db = PrismaClient;

/** A Prisma client on the `pg` driver adapter (no binary engine at run time). */
export function createDb(connectionString: string, opts: { poolSize?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

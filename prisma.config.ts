import { defineConfig } from 'prisma/config';

// The CLI is used here only for `prisma generate`; migrations go through scripts in packages/db
// (see README: the native schema engine is not required).
export default defineConfig({
  schema: 'prisma',
  migrations: { path: 'prisma/migrations' },
});

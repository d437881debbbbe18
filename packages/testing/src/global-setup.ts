import { prepareTemplateDatabase } from './database.js';

/** Runs once per `vitest run`: builds the migrated template database that test files copy. */
export default async function setup(): Promise<void> {
  await prepareTemplateDatabase();
}

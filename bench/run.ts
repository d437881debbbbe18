/**
 * `npm run bench` runs every benchmark under bench/; `npm run bench -- registry` runs one.
 * Each prints Warden's figure beside the raw engine it is built on, measured in the same run.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTemplateDatabase } from '@warden/testing';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'main.ts')))
  .map((d) => d.name)
  .sort();
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
if (!chosen.length) {
  console.error(`no benchmark named ${wanted.join(', ')}; have: ${all.join(', ')}`);
  process.exit(1);
}
// Benchmarks copy the migrated template database, as tests do.
await prepareTemplateDatabase();
for (const name of chosen) {
  console.log(`\n=== bench/${name} ===`);
  const mod = (await import(path.join(dir, name, 'main.ts'))) as { run(): Promise<void> };
  await mod.run();
}
process.exit(0);

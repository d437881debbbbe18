import { execFile } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const SOURCES = ['src', 'index.html', 'ide.html', 'vite.config.ts', 'package.json', '../../package-lock.json'];

function newestMtime(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newestMtime(path.join(p, n))));
}

/**
 * Builds the console into `dist` unless the build there is newer than every source file. The build
 * goes to a scratch folder first and is swapped in, so an api serving `dist` meanwhile never sees a
 * half-written folder.
 */
export async function ensureConsoleBuilt(): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return { built: false, ms: 0 };
  const scratch = path.join(root, `.dist-${process.pid}`);
  const vite = path.join(root, '../../node_modules/.bin/vite');
  await promisify(execFile)(vite, ['build', '--outDir', scratch, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root });
  writeFileSync(path.join(scratch, '.build-stamp'), new Date().toISOString());
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(scratch, dist);
  rmSync(old, { recursive: true, force: true });
  return { built: true, ms: Date.now() - started };
}

// `node --import tsx services/console/scripts/build.ts`: what `npm start` and `npm test` run (through
// scripts/bootstrap.sh) so the api always serves a console built from the current sources.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { built, ms } = await ensureConsoleBuilt();
  if (built) console.log(`\x1b[36m[bootstrap]\x1b[0m built the console in ${(ms / 1000).toFixed(1)} s`);
}

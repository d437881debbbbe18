import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * The worker service as its own process (as in production), so a test can kill it. Resolves once
 * it says it is running; its stdout goes to `WARDEN_TEST_WORKER_LOG` when that names a file.
 */
export async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/worker/src/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let out = '';
  const onData = (d: Buffer) => (out += d.toString());
  child.stdout!.on('data', onData);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${err}${out}`)), 30_000);
    const ready = () => {
      if (!out.includes('worker running')) return;
      clearTimeout(timer);
      child.stdout!.off('data', ready);
      resolve();
    };
    child.stdout!.on('data', ready);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${err}${out}`));
    });
  });
  child.stdout!.off('data', onData);
  const log = process.env.WARDEN_TEST_WORKER_LOG;
  if (log) child.stdout!.on('data', (d: Buffer) => appendFileSync(log, d));
  else child.stdout!.resume();
  return child;
}

/** Stops a spawned worker (SIGKILL for a crash) and waits until it has exited. */
export async function stopWorker(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

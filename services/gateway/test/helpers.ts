import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TOPICS } from '@warden/contracts';

const run = promisify(execFile);

/** Every record value on `topic`, read with kcat (a real Kafka client, no consumer group to join). */
export async function topicValues<T>(brokers: string[], topic: string): Promise<T[]> {
  const { stdout } = await run('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** Reads `topic` until `until` holds for its records (or the timeout passes). */
export async function readTopic<T>(brokers: string[], topic: string, until: (all: T[]) => boolean, timeoutMs = 15_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await topicValues<T>(brokers, topic);
    if (until(all)) return all;
    if (Date.now() > deadline) throw new Error(`timed out reading ${topic}: got ${all.length} records`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const topics = TOPICS;

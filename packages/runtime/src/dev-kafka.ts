import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../infra/dev-kafka/', import.meta.url));
const BIN = `${DIR}bin/warden-dev-kafka`;

export interface DevKafka {
  /** Bootstrap servers, for `KAFKA_BROKERS` or `createKafka`. */
  brokers: string[];
  /** Creates a topic (the dev broker has no Admin API). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Takes a broker (or all: -1) down and refuses connections until `up`. For failure tests. */
  down(brokerId?: number): Promise<void>;
  up(brokerId?: number): Promise<void>;
  /**
   * Answers the next requests of a protocol API (by its key, e.g. 14 for SyncGroup) with these
   * Kafka error codes, one request each. For failure tests.
   */
  failNext(apiKey: number, errorCodes: number[]): Promise<void>;
  stop(): Promise<void>;
}

export interface DevKafkaOptions {
  brokers?: number;
  /** Topic name to partition count. */
  topics?: Record<string, number>;
}

/**
 * Starts the development Kafka broker (librdkafka's in-memory mock cluster, see infra/dev-kafka)
 * on random loopback ports. It holds data in memory only and exits with the process that started
 * it. Never for production.
 */
export async function startDevKafka(opts: DevKafkaOptions = {}): Promise<DevKafka> {
  if (!existsSync(BIN)) {
    const built = spawnSync('bash', [`${DIR}build.sh`], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('could not build the dev Kafka broker (needs gcc and librdkafka-dev)');
  }
  const args = ['--brokers', String(opts.brokers ?? 1)];
  for (const [name, partitions] of Object.entries(opts.topics ?? {})) args.push(`${name}:${partitions}`);
  const child: ChildProcessWithoutNullStreams = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const lines = createInterface({ input: child.stdout });
  const pending: Array<(line: string) => void> = [];
  const first = new Promise<string>((resolve, reject) => {
    pending.push(resolve);
    child.once('exit', (code) => reject(new Error(`dev Kafka broker exited with ${code}: ${stderr}`)));
  });
  lines.on('line', (line) => pending.shift()?.(line));
  const bootstrap = await first;
  const brokers = bootstrap.replace(/^bootstrap /, '').split(',');

  let chain = Promise.resolve();
  const command = (cmd: string) => {
    const run = chain.then(
      () =>
        new Promise<void>((resolve, reject) => {
          pending.push((answer) => (answer === 'ok' ? resolve() : reject(new Error(`dev Kafka: ${cmd}: ${answer}`))));
          child.stdin.write(`${cmd}\n`);
        }),
    );
    chain = run.catch(() => {});
    return run;
  };

  let stopped: Promise<void> | undefined;
  return {
    brokers,
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    down: (id = -1) => command(`down ${id}`),
    up: (id = -1) => command(`up ${id}`),
    failNext: (apiKey, codes) => command(`errors ${apiKey} ${codes.join(',')}`),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      })),
  };
}

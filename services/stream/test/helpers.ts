import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SqlPool } from '@warden/db';

const run = promisify(execFile);

/** Every record value on `topic`, read with kcat (a real Kafka client). */
export async function topicValues<T>(brokers: string[], topic: string): Promise<T[]> {
  const { stdout } = await run('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** Polls `probe` until `until` holds for its value. */
export async function waitFor<T>(probe: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StoredCounts {
  points: number;
  distinctPoints: number;
  contactReports: number;
  states: number;
}

/** What the pipeline stored, for exactly-once checks. */
export async function storedCounts(pool: SqlPool): Promise<StoredCounts> {
  const { rows } = await pool.query<{ points: string; distinct_points: string; contact_reports: string | null; states: string }>(
    `SELECT (SELECT count(*) FROM telemetry_points) AS points,
            (SELECT count(DISTINCT (device_id, seq)) FROM telemetry_points) AS distinct_points,
            (SELECT sum(count) FROM device_contacts) AS contact_reports,
            (SELECT count(*) FROM device_state) AS states`,
  );
  const r = rows[0]!;
  return { points: Number(r.points), distinctPoints: Number(r.distinct_points), contactReports: Number(r.contact_reports ?? 0), states: Number(r.states) };
}

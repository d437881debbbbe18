import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '@warden/contracts';
import { createPlaybook, startPlaybookRun, stuckPlaybookRuns, sweepPlaybooks } from '@warden/core/playbooks';
import { startPlaybookHarness, type PlaybookHarness } from './harness.js';

/**
 * The sweep's view of which runs nobody is advancing, with no worker running: a run whose job is
 * gone is picked up once it has been quiet for a few seconds, unless a worker holds its lock; a
 * waiting run is left to its wake-up.
 */
let h: PlaybookHarness;

beforeAll(async () => {
  h = await startPlaybookHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const age = (id: string, ms: number) => h.tdb.sql.query(`UPDATE playbook_runs SET updated_at = now() - make_interval(secs => $2) WHERE id = $1`, [id, ms / 1000]);
const stuckIds = async () => (await stuckPlaybookRuns(h.deps, Date.now(), 5000)).map((r) => r.id);

describe('the playbook sweep', () => {
  it('wakes a run left mid-step with no worker on it, and leaves alone one a worker holds or that is waiting', async () => {
    const admin = await h.person('ADMIN');
    const responder = await h.person('RESPONDER');
    const pb = await createPlaybook(h.deps, admin, { source: 'name: sweep-me\nsteps:\n  - { id: a, type: notify_webhook, event: playbook.a }\n' });
    const waiting = await createPlaybook(h.deps, admin, { source: 'name: sweep-wait\nsteps:\n  - { id: w, type: wait, duration: 10m }\n' });
    const run = await startPlaybookRun(h.deps, responder, { playbookId: pb.id, incidentId: await h.incident() });
    const other = await startPlaybookRun(h.deps, responder, { playbookId: waiting.id, incidentId: await h.incident() });
    await h.tdb.sql.query(`UPDATE playbook_runs SET status = 'WAITING', wake_at = now() + interval '10 minutes' WHERE id = $1`, [other.id]);
    await age(other.id, 60_000);

    // Just started (its job is queued): not stuck yet.
    expect(await stuckIds()).toEqual([]);

    // Quiet for longer than the threshold, lock free: stuck.
    await age(run.id, 10_000);
    expect(await stuckIds()).toEqual([run.id]);

    // A worker advancing it holds the run's lock: not stuck, however long the step takes.
    const holder = await h.tdb.sql.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`playbook-run:${run.id}`]);
      expect(await stuckIds()).toEqual([]);
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`playbook-run:${run.id}`]);
    } finally {
      holder.release();
    }

    // The sweep queues a wake-up under a job id a failed earlier one cannot swallow.
    const queue = h.jobs.queue(QUEUES.playbooks);
    await queue.drain(true);
    expect((await sweepPlaybooks(h.deps)).runs).toBe(1);
    const jobs = await queue.getJobs(['waiting', 'delayed']);
    expect(jobs.filter((j) => j.name === 'playbook.advance').map((j) => j.data)).toEqual([{ runId: run.id }]);
    expect(jobs.find((j) => j.name === 'playbook.advance')!.id).toMatch(new RegExp(`^advance\\.${run.id}\\.sweep\\.\\d+\\.\\d+$`));
  });
});

import { describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '@warden/contracts';
import { createBatchWriter } from './batch-writer.js';

const rec = (partition: number, seq: number) => ({ deviceId: `p${partition}`, seq }) as unknown as TelemetryRecord;
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A write function that records each transaction and completes it when told. */
function controlledWrites() {
  const transactions: { records: TelemetryRecord[]; done: (err?: Error) => void }[] = [];
  const write = (records: TelemetryRecord[]) =>
    new Promise<{ stored: number; duplicates: number; cameOnline: number }>((resolve, reject) => {
      transactions.push({ records, done: (err) => (err ? reject(err) : resolve({ stored: records.length, duplicates: 0, cameOnline: 0 })) });
    });
  const seqs = (i: number) => transactions[i]!.records.map((r) => `${r.deviceId}:${r.seq}`);
  return { transactions, write, seqs };
}

describe('stream batch writer', () => {
  it('gathers what arrives while a transaction writes into the next one, a partition in one transaction at a time', async () => {
    const w = controlledWrites();
    const writer = createBatchWriter(w.write, { maxRecords: 100, lingerMs: 1, concurrency: 2 });
    const first = writer.write(0, [rec(0, 1)]);
    await tick();
    expect(w.transactions).toHaveLength(1);
    // Partition 0 is being written: its next records wait, and so do partition 1's (no full batch).
    const second = writer.write(0, [rec(0, 2)]);
    const other = writer.write(1, [rec(1, 1)]);
    await tick();
    expect(w.transactions).toHaveLength(1);
    expect(writer.pending()).toBe(3);
    w.transactions[0]!.done();
    await first;
    await tick();
    expect(w.seqs(1)).toEqual(['p0:2', 'p1:1']);
    w.transactions[1]!.done();
    await Promise.all([second, other, writer.idle()]);
    expect(writer.pending()).toBe(0);
  });

  it('starts a second transaction only for a full batch of partitions not in flight', async () => {
    const w = controlledWrites();
    const writer = createBatchWriter(w.write, { maxRecords: 2, lingerMs: 1, concurrency: 2 });
    void writer.write(0, [rec(0, 1)]);
    await tick();
    void writer.write(0, [rec(0, 2), rec(0, 3)]); // full, but its partition is in flight
    void writer.write(1, [rec(1, 1), rec(1, 2)]); // full, free partition
    await tick();
    expect(w.transactions).toHaveLength(2);
    expect(w.seqs(1)).toEqual(['p1:1', 'p1:2']);
  });

  it('refuses the records queued behind a failed write of their partition, and keeps order after it', async () => {
    const w = controlledWrites();
    const writer = createBatchWriter(w.write, { maxRecords: 100, lingerMs: 1, concurrency: 1, backoffMs: 1 });
    const failed = writer.write(0, [rec(0, 1)]);
    await tick();
    const behind = writer.write(0, [rec(0, 2)]);
    const empty = writer.write(0, []);
    const other = writer.write(1, [rec(1, 1)]);
    w.transactions[0]!.done(new Error('Postgres is gone'));
    await expect(failed).rejects.toThrow('Postgres is gone');
    await expect(behind).rejects.toThrow('Postgres is gone');
    await expect(empty).rejects.toThrow('Postgres is gone');
    await tick(10);
    // Another partition's records are written after the pause.
    expect(w.seqs(1)).toEqual(['p1:1']);
    w.transactions[1]!.done();
    await other;
  });

  it('resolves records with nothing to write only after what was submitted before them on their partition', async () => {
    const w = controlledWrites();
    const writer = createBatchWriter(w.write, { maxRecords: 100, lingerMs: 1, concurrency: 1 });
    await writer.write(3, []); // nothing before it: done at once
    const before = writer.write(3, [rec(3, 1)]);
    let emptyDone = false;
    const empty = writer.write(3, []).then(() => (emptyDone = true));
    await tick();
    expect(emptyDone).toBe(false);
    w.transactions[0]!.done();
    await before;
    await empty;
    expect(emptyDone).toBe(true);
    // Nothing to store means no transaction for it.
    expect(w.transactions).toHaveLength(1);
  });
});

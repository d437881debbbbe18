import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { MemoizedDefaultPartitioner } from './kafka.js';

const meta = (n: number) => Array.from({ length: n }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 0, replicas: [0], isr: [0] }));

describe('MemoizedDefaultPartitioner', () => {
  it('puts every key on the partition kafkajs’ default partitioner would, also when the partition count changes', () => {
    const memo = MemoizedDefaultPartitioner();
    const plain = kafkajs.Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 3000 }, (_, i) => `device-${i}-${(i * 2654435761) >>> 0}`);
    for (const partitions of [6, 6, 12, 1]) {
      const seen = new Set<number>();
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata: meta(partitions), message: { key, value: 'x' } };
        const p = memo(args);
        expect(p).toBe(plain(args));
        seen.add(p);
      }
      // The keys spread over every partition (a memo that returned one value would not).
      expect(seen.size).toBe(partitions);
    }
  });

  it('leaves explicit partitions and keyless messages to kafkajs', () => {
    const memo = MemoizedDefaultPartitioner();
    expect(memo({ topic: 't', partitionMetadata: meta(6), message: { key: 'a', value: 'x', partition: 4 } })).toBe(4);
    const keyless = new Set(Array.from({ length: 12 }, () => memo({ topic: 't', partitionMetadata: meta(6), message: { value: 'x' } })));
    expect(keyless.size).toBeGreaterThan(1); // round robin
  });
});

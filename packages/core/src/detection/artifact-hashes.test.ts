import { describe, expect, it } from 'vitest';
import { createArtifactHashCache } from './artifact-hashes.js';

const M = 'model-a';
const HASH = 'AB'.repeat(32);

describe('artifact hash cache', () => {
  it('asks once per distinct pair, then answers from memory until the TTL passes', () => {
    const cache = createArtifactHashCache({ ttlMs: 5_000 });
    const batch = [
      { modelId: M, version: '1.0.0' },
      { modelId: M, version: '1.0.0' },
      { modelId: M, version: '9.9.9' },
    ];
    const asked = cache.stale(batch, 0);
    expect(asked).toEqual([
      { modelId: M, version: '1.0.0' },
      { modelId: M, version: '9.9.9' },
    ]);
    cache.fill(asked, [{ modelId: M, version: '1.0.0', sha256: [HASH] }], 0);
    expect(cache.lookup(M, '1.0.0')).toEqual([HASH.toLowerCase()]);
    expect(cache.lookup(M, '9.9.9')).toBeNull();
    expect(cache.stale(batch, 4_999)).toEqual([]);
    expect(cache.stale(batch, 5_000)).toHaveLength(2);
  });

  it('sees a release created after the version was first reported, once the TTL passes', () => {
    const cache = createArtifactHashCache({ ttlMs: 1_000 });
    const pair = { modelId: M, version: '2.0.0' };
    cache.fill(cache.stale([pair], 0), [], 0);
    expect(cache.lookup(M, '2.0.0')).toBeNull();
    cache.fill(cache.stale([pair], 1_500), [{ ...pair, sha256: [HASH] }], 1_500);
    expect(cache.lookup(M, '2.0.0')).toEqual([HASH.toLowerCase()]);
  });

  it('stays bounded when devices report endless made-up versions, keeping the newest', () => {
    const cache = createArtifactHashCache({ ttlMs: 60_000, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) cache.fill([{ modelId: M, version: `0.0.${i}` }], [{ modelId: M, version: `0.0.${i}`, sha256: [HASH] }], i);
    expect(cache.size()).toBe(100);
    expect(cache.lookup(M, '0.0.999')).not.toBeNull();
    expect(cache.lookup(M, '0.0.0')).toBeNull();
  });
});

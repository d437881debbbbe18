import type { ArtifactHashLookup } from './rules/firmware-hash.js';

export interface ModelVersionPair {
  modelId: string;
  version: string;
}

/**
 * What the firmware-hash rule knows of the firmware catalogue: the artifact digests per
 * (model, version), remembered for `ttlMs` (like the detection settings), unknown versions
 * included, so a release created after a device first reported its version is seen within that
 * time. Bounded: the oldest entries go first, since devices choose the version strings they report.
 */
export interface ArtifactHashCache {
  /** The distinct pairs among `pairs` that are not known or are older than the TTL. */
  stale(pairs: Iterable<ModelVersionPair>, now: number): ModelVersionPair[];
  /** Records the answer for `asked`: the digests found, the rest as unknown versions. */
  fill(asked: readonly ModelVersionPair[], found: readonly (ModelVersionPair & { sha256: readonly string[] })[], now: number): void;
  /** The rule's lookup: digests, or null for a version with no release (or not asked yet). */
  lookup: ArtifactHashLookup;
  size(): number;
}

const keyOf = (modelId: string, version: string) => `${modelId}\u0000${version}`;

export function createArtifactHashCache(opts: { ttlMs: number; maxEntries?: number }): ArtifactHashCache {
  const max = opts.maxEntries ?? 50_000;
  const entries = new Map<string, { hashes: readonly string[] | null; at: number }>();
  return {
    stale(pairs, now) {
      const out = new Map<string, ModelVersionPair>();
      for (const p of pairs) {
        const k = keyOf(p.modelId, p.version);
        const e = entries.get(k);
        if ((!e || now - e.at >= opts.ttlMs) && !out.has(k)) out.set(k, { modelId: p.modelId, version: p.version });
      }
      return [...out.values()];
    },
    fill(asked, found, now) {
      const hits = new Map(found.map((f) => [keyOf(f.modelId, f.version), f.sha256.map((h) => h.toLowerCase())]));
      for (const p of asked) {
        const k = keyOf(p.modelId, p.version);
        // Re-inserting moves the key to the end: the map's order is the eviction order.
        entries.delete(k);
        entries.set(k, { hashes: hits.get(k) ?? null, at: now });
      }
      for (const k of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(k);
      }
    },
    lookup: (modelId, version) => entries.get(keyOf(modelId, version))?.hashes ?? null,
    size: () => entries.size,
  };
}

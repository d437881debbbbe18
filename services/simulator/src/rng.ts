/**
 * Seeded randomness. Every random choice the simulator makes comes from a stream derived from the
 * run's seed and what the choice is about (a device, a round, an action), so the same seed gives
 * the same office whatever order the network answers in.
 */

/** Mulberry32: a small, fast PRNG with a 32-bit state; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes numbers and strings into one 32-bit value (FNV-1a over the parts, then an avalanche). */
export function hash32(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = typeof p === 'number' ? String(p) : p;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // part separator: ("ab","c") differs from ("a","bc")
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A PRNG stream for one subject of the run: `stream(seed, 'ddi', deviceIndex, actionId)`. */
export function stream(seed: number, ...subject: (number | string)[]): () => number {
  return mulberry32(hash32(seed, ...subject));
}

/** An integer in [min, max]. */
export function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** A value around `mean`, off by at most `spread` (a fraction) either way. */
export function jitter(rand: () => number, mean: number, spread: number): number {
  return mean * (1 + (rand() * 2 - 1) * spread);
}

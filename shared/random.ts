/**
 * A small seeded generator (mulberry32): the same seed gives the same numbers on every machine.
 * For sample data, benchmarks, load and fault trials, which must be repeatable; never for secrets.
 */
export type Random = () => number;

/** Numbers in [0, 1) from `seed`. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

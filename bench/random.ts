/**
 * mulberry32, a small seeded random generator: the same seed gives the same numbers, so that a generated
 * portal (bench/generate.ts) or a failed crash test's run (test/crash/answers.crash-spec.ts) can be made again.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

import { createHash } from 'node:crypto';

/** A 32-bit seed from any text: the first four bytes of its SHA-256. */
export function seedFrom(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/**
 * mulberry32: tiny, fast and good enough for test signals; the same seed gives the same sequence
 * on every machine, which is what lets tests regenerate a capture and compare it value by value.
 * Returns uniform numbers in [0, 1).
 */
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

/**
 * Box–Muller: fills `out[0]` and `out[1]` with two independent standard normal values. Writes into a
 * caller's array instead of returning a pair because it runs twice per sample, millions of times.
 */
export function gaussianPair(uniform: () => number, out: Float64Array): void {
  const r = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 - u is in (0, 1]: log never sees 0
  const theta = 2 * Math.PI * uniform();
  out[0] = r * Math.cos(theta);
  out[1] = r * Math.sin(theta);
}

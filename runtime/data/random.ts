// Seeded, stateless random streams. Every random choice of training (data order,
// augmentation) is a pure function of (seed, stream name, step or epoch), so a
// resumed run replays exactly the same choices without saving generator state.

import { fmix32, uniformGenerator } from '../executor/random.ts';

/** A 32-bit hash of a seed and a stream name plus integers (FNV-1a then a murmur finaliser). */
export function streamSeed(seed: number, stream: string, ...ints: number[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const mixIn = (v: number) => {
    h ^= v & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (let i = 0; i < 4; i++) mixIn((seed >>> (8 * i)) & 0xff);
  for (let i = 0; i < stream.length; i++) mixIn(stream.charCodeAt(i));
  for (const v of ints) for (let i = 0; i < 4; i++) mixIn(((v >>> 0) >>> (8 * i)) & 0xff);
  return fmix32(h);
}

/** mulberry32 floats in [0, 1) (the executor's generator). */
export const rng = uniformGenerator;

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

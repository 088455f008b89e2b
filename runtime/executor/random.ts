// Seeded, backend-independent random numbers in plain JS. Every random stream of a
// model (initialisation of each parameter, dropout and noise of each node at each
// step) gets its own 32-bit seed derived by hashing (model seed, stream name, …),
// so adding a parameter or a node never shifts another stream.

/** FNV-1a over the UTF-16 code units of a string, folded into `h`. */
function fnv1a(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A final avalanche (murmur3 fmix32) so nearby inputs give unrelated seeds. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from a model seed and any number of parts (names, steps). */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  let h = fnv1a(String(seed), 0x811c9dc5);
  for (const p of parts) h = fnv1a(`\u0000${p}`, h);
  return fmix32(h);
}

/** mulberry32: a small, fast 32-bit generator; returns floats in [0, 1). */
export function uniformGenerator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with uniform values in [low, high). */
export function fillUniform(out: Float32Array, seed: number, low = 0, high = 1): Float32Array {
  const next = uniformGenerator(seed);
  const span = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + span * next();
  return out;
}

/** Fills `out` with N(0, std²) values (Box–Muller, both outputs used). */
export function fillNormal(out: Float32Array, seed: number, std = 1): Float32Array {
  const next = uniformGenerator(seed);
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - next(); // (0, 1]: log is finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Fills `out` with N(0,1) values truncated to [-2, 2] (by rejection), times `scale`. */
export function fillTruncatedNormal(out: Float32Array, seed: number, scale = 1): Float32Array {
  const next = uniformGenerator(seed);
  let i = 0;
  while (i < out.length) {
    const u1 = 1 - next();
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    for (const z of [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)]) {
      if (i < out.length && z >= -2 && z <= 2) out[i++] = z * scale;
    }
  }
  return out;
}

// Batched matrix products [G,m,k]·[G,k,n] (attention; the MoE dispatcher). On wasm,
// tfjs's BatchMatMul runs at about 2 GFLOP/s and its gradient uses the slower
// transpose flags (tfjs-facts.md §2.1), while a flag-free 2-D matMul runs at 20-30
// GFLOP/s. So on wasm a 3-D product is a loop of fast 2-D products (explicit
// transposes first; one gradient for the loop: products.ts loopedProduct).
// Measured (bench/batched-matmul.ts, fwd+bwd, 2 cores): 2-6× faster on the ViT-S and
// MNIST attention and dispatch shapes; the copy-free Unpack (wasm-slice.ts) is what
// makes the loop cheap. The wasm profile binds `loopingBatchMatMul` (runtime/backends/wasm.ts);
// other backends keep tf.matMul.
import * as tf from '@tensorflow/tfjs';
import { fastMatMul, loopedProduct } from './products.ts';
import { smallBatchMatMul, smallBatchMatMulAvailable, smallBatchMatMulFits } from './wasm-small-bmm.ts';

/** Largest batch count looped (measured up to 192; beyond that the native op is kept). */
export const LOOP_MAX_BATCH = 512;

/** [G,m,k]·[G,k,n] (after the optional transposes of the last two axes) as G fast 2-D products. */
export function loopedBatchMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.shape.length !== 3 || b.shape.length !== 3) throw new Error(`loopedBatchMatMul needs 3-D operands, got [${a.shape}] and [${b.shape}]`);
  const left = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
  const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
  return loopedProduct(left, right);
}

/**
 * Smallest per-entry product (m·k·n) that is looped. Below it the loop's fixed cost
 * per 2-D product dominates: measured fwd+bwd on wasm (as bench/batched-matmul.ts does, 2 cores):
 * loop/native = 27× at 8³, 8× at [256,16,16]², 1.0× at 32³, 0.4× at 64³ and 49×48×49,
 * 0.2× at ViT-S attention (196×64×196).
 */
export const LOOP_MIN_ENTRY_FLOPS = 50_000;

/** Whether the looping product loops for these operands (3-D, batch ≤ LOOP_MAX_BATCH, entries large enough). */
export function loopsFor(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): boolean {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[0]! > LOOP_MAX_BATCH) return false;
  const [m, k] = transposeA ? [a.shape[2]!, a.shape[1]!] : [a.shape[1]!, a.shape[2]!];
  const n = transposeB ? b.shape[1]! : b.shape[2]!;
  return m * k * n >= LOOP_MIN_ENTRY_FLOPS;
}

/** Entries with at most this many rows always take the SIMD kernel (it reads the right operand once per 4 rows; XNNPACK packs it first). */
export const SIMD_MAX_ROWS = 16;
/** A right operand of at most this many floats (256 KB) stays in cache: the SIMD kernel wins at any row count measured (up to 1,568). */
export const SIMD_CACHED_RIGHT = 64 * 1024;
/** Up to this many floats it still wins where XNNPACK cannot amortise its packing over many rows… */
export const SIMD_MAX_RIGHT = 160 * 1024;
/** …that is, up to this many rows. */
export const SIMD_MAX_ROWS_LARGE_RIGHT = 256;

/**
 * Whether the SIMD kernel (wasm-small-bmm.ts, 4×8 register tiles) beats XNNPACK (a loop of
 * 2-D products) for entries [m,k]·[k,n], forward + backward, measured on wasm at 1 thread
 * (SIMD / XNNPACK): 0.34× at 64³ (48 entries), 0.25× at [16,64]·[64,192], 0.61× at
 * [16,192]·[192,768] (16 entries), 0.69× at [196,64]·[64,196] (48), 0.64× at
 * [64,192]·[192,768] (16), 0.78× at [192,192]·[192,768] (8), 0.61× at [1024,64]·[64,192]
 * (2-D); XNNPACK wins at [1024,192]·[192,768] (SIMD 1.18×), [1568,192]·[192,824] (1.16×),
 * [1568,384]·[384,1536] (1.73×).
 */
export function simdPreferred(m: number, k: number, n: number): boolean {
  const right = k * n;
  return m <= SIMD_MAX_ROWS || right <= SIMD_CACHED_RIGHT || (right <= SIMD_MAX_RIGHT && m <= SIMD_MAX_ROWS_LARGE_RIGHT);
}

/** The wasm 2-D product: the SIMD kernel where `simdPreferred` says so (it takes 2-D operands as one entry), else XNNPACK's (products.ts fastMatMul). */
export function wasmMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) {
    const [m, k] = a.shape as [number, number];
    const n = b.shape[1]!;
    const fits = a.dtype === 'float32' && b.dtype === 'float32' && b.shape[0] === k && m % 4 === 0 && k % 4 === 0 && n % 4 === 0 && a.size > 0 && b.size > 0;
    if (fits && simdPreferred(m, k, n) && smallBatchMatMulAvailable()) return smallBatchMatMul(a, b);
  }
  return fastMatMul(a, b);
}

/**
 * The wasm batched product: the SIMD kernel of wasm-small-bmm.ts where the shapes fit it
 * and `simdPreferred` says it is faster (5–8× tfjs's BatchMatMul on the README example's
 * attention and dispatch shapes); else the loop of fast 2-D products where `loopsFor`
 * says it is faster; else tf.matMul.
 */
export function loopingBatchMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (smallBatchMatMulFits(a, b, transposeA, transposeB) && smallBatchMatMulAvailable()) {
    const [m, k] = transposeA ? [a.shape[2]!, a.shape[1]!] : [a.shape[1]!, a.shape[2]!];
    const n = transposeB ? b.shape[1]! : b.shape[2]!;
    if (simdPreferred(m, k, n) || !loopsFor(a, b, transposeA, transposeB)) return smallBatchMatMul(a, b, transposeA, transposeB);
  }
  if (loopsFor(a, b, transposeA, transposeB)) return loopedBatchMatMul(a, b, transposeA, transposeB);
  return tf.matMul(a, b, transposeA, transposeB);
}

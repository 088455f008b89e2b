// Matrix products. On wasm only a plain 2-D matMul without transpose flags is fast
// (tfjs-facts.md §2.1), and tfjs's own matMul gradient uses the flags; so `matmul`
// has a custom gradient whose two backward products are plain 2-D matMuls of
// explicitly transposed operands (§7.2); `expert_matmul` and the looped batched
// products are a loop of such products with one gradient for the whole loop.
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';

/** [m,k]·[k,n] with forward and backward made of flag-free 2-D matMuls. */
export const fastMatMul = tf.customGrad((a, b, save) => {
  const x = a as tf.Tensor2D;
  const w = b as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/**
 * dx = dy·wᵀ for one product x [n,k]·w [k,m] (dy [n,m]). XNNPACK packs a product's right operand on every call, and a
 * transpose is a full copy, so the cheaper of the two flag-free forms is taken:
 * dy·(wᵀ) moves ~2·k·m floats (w transposed, then packed); (w·dyᵀ)ᵀ moves
 * ~2·n·m + k·n (dy transposed and packed, the result transposed back). The second
 * wins when the entry has few rows (n), as the experts of a Soft MoE with few slots do.
 */
export function inputGradient(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const [n, m] = dy.shape;
  const k = w.shape[0];
  if (n * (2 * m + k) < 2 * k * m) return tf.transpose(tf.matMul(w, tf.transpose(dy))) as tf.Tensor2D;
  return tf.matMul(dy, tf.transpose(w));
}

/**
 * x [G,n,k] · w [G,k,m] → [G,n,m] as one fast 2-D product per entry, with one
 * gradient for the whole loop (not one tape node per unstack, product and stack):
 * per entry dx = dy·wᵀ (inputGradient) and dw = xᵀ·dy, both flag-free.
 */
export const loopedProduct = tf.customGrad((a, b, save) => {
  const xs = tf.unstack(a as tf.Tensor) as tf.Tensor2D[];
  const ws = tf.unstack(b as tf.Tensor) as tf.Tensor2D[];
  // the entries are saved, not the stacks: the backward pass needs them one by one
  (save as tf.GradSaveFunc)([...xs, ...ws]);
  return {
    value: tf.stack(xs.map((xe, e) => tf.matMul(xe, ws[e]!))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const G = saved.length / 2;
      const x = saved.slice(0, G) as tf.Tensor2D[];
      const w = saved.slice(G) as tf.Tensor2D[];
      const dys = tf.unstack(dy) as tf.Tensor2D[];
      const dx = tf.stack(dys.map((g, e) => inputGradient(g, w[e]!)));
      const dw = tf.stack(dys.map((g, e) => tf.matMul(tf.transpose(x[e]!), g)));
      return [dx, dw];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/** x [E,n,k] · w [E,k,m] → [E,n,m] as one fast 2-D product per expert. */
export function expertMatMul(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  if (x.shape.length !== 3 || w.shape.length !== 3) throw new Error(`expert_matmul needs [E,n,k] and [E,k,m], got [${x.shape}] and [${w.shape}]`);
  return loopedProduct(x, w);
}

export const productKernels: KernelTable = {
  matmul: ([a, b]) => fastMatMul(a, b),
  // wasm overrides this with a loop of fast 2-D products (backends/wasm.ts, batch-matmul.ts)
  batch_matmul: ([a, b], attrs) => tf.matMul(a, b, attrs.transposeA === true, attrs.transposeB === true),
  expert_matmul: ([x, w]) => expertMatMul(x, w),
};

// Matrix products. On wasm only a plain 2-D matMul without transpose flags is fast
// (tfjs-facts.md §2.1), and tfjs's own matMul gradient uses the flags; so `matmul`
// has a custom gradient whose two backward products are plain 2-D matMuls of
// explicitly transposed operands (§7.2), and `expert_matmul` is a loop of it.
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

/** x [E,n,k] · w [E,k,m] → [E,n,m] as one fast 2-D product per expert. */
export function expertMatMul(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  if (x.shape.length !== 3 || w.shape.length !== 3) throw new Error(`expert_matmul needs [E,n,k] and [E,k,m], got [${x.shape}] and [${w.shape}]`);
  const xs = tf.unstack(x);
  const ws = tf.unstack(w);
  return tf.stack(xs.map((xe, e) => fastMatMul(xe, ws[e])));
}

export const productKernels: KernelTable = {
  matmul: ([a, b]) => fastMatMul(a, b),
  // wasm overrides this with a loop of fast 2-D products (backends/wasm.ts, batch-matmul.ts)
  batch_matmul: ([a, b], attrs) => tf.matMul(a, b, attrs.transposeA === true, attrs.transposeB === true),
  expert_matmul: ([x, w]) => expertMatMul(x, w),
};

// A candidate for the `batch_matmul` kernel on wasm: one flag-free 2-D fast matMul
// per batch entry (explicit transposes first) instead of tfjs's BatchMatMul, which
// runs at about 2 GFLOP/s on wasm and whose gradient uses the slow transpose flags
// (tfjs-facts.md §2.1). Benchmarked against the native op in bench/batched-matmul.ts.
import * as tf from '@tensorflow/tfjs';
import { fastMatMul } from '../kernels/products.ts';

/** [G,m,k]·[G,k,n] (after the optional transposes of the last two axes) as G fast 2-D products. */
export function loopedBatchMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.shape.length !== 3 || b.shape.length !== 3) throw new Error(`loopedBatchMatMul needs 3-D operands, got [${a.shape}] and [${b.shape}]`);
  const left = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
  const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
  const as = tf.unstack(left);
  const bs = tf.unstack(right);
  return tf.stack(as.map((x, i) => fastMatMul(x, bs[i]!)));
}

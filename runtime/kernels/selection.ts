// Selection kernels: top-k, argmax, one-hot (grad: 'none' in ops.ts: kernels/bind.ts
// keeps them off the tape), and cumsum (differentiable; tfjs's gradient is only
// right on the last axis).
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';

/** Moves `axis` last, applies `fn` along the last axis, moves it back. */
function alongLastAxis(x: tf.Tensor, axis: number, fn: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const rank = x.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a === rank - 1) return fn(x);
  const perm = [...Array(rank).keys()].filter((i) => i !== a).concat(a);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return tf.transpose(fn(tf.transpose(x, perm)), inverse);
}

/** Float one-hot; an index outside [0, depth) gives an all-zero row on every backend. */
export function oneHot(indices: tf.Tensor, depth: number): tf.Tensor {
  const positions = tf.range(0, depth, 1, 'int32');
  return tf.cast(tf.equal(tf.expandDims(indices, -1), positions), 'float32');
}

/**
 * Cumulative sum along the last axis. Its gradient is the reversed cumulative sum
 * of dy, written with tf.reverse around a forward cumsum rather than tfjs's
 * `reverse: true` flag, which is wrong on webgpu for some shapes (tfjs-facts.md §1.3).
 */
const cumsumLastAxis = (exclusive: boolean) =>
  tf.customGrad((input) => {
    const x = input as tf.Tensor;
    const axis = x.shape.length - 1;
    return {
      value: tf.cumsum(x, axis, exclusive),
      gradFunc: (dy: tf.Tensor) => tf.reverse(tf.cumsum(tf.reverse(dy, axis), axis, exclusive), axis),
    };
  }) as (x: tf.Tensor) => tf.Tensor;

const cumsumInclusive = cumsumLastAxis(false);
const cumsumExclusive = cumsumLastAxis(true);

function cumsum(x: tf.Tensor, exclusive: boolean): tf.Tensor {
  // Integer cumsums (slot positions) carry no gradient.
  if (x.dtype !== 'float32') return tf.cumsum(x, x.shape.length - 1, exclusive);
  return exclusive ? cumsumExclusive(x) : cumsumInclusive(x);
}

export const selectionKernels: KernelTable = {
  // tf.topk orders equal values by lower index first (tests/runtime check it on cpu and wasm).
  top_k_values: ([x], attrs) => tf.topk(x, attrs.k as number, true).values,
  top_k_indices: ([x], attrs) => tf.topk(x, attrs.k as number, true).indices,
  argmax: ([x], attrs) => tf.argMax(x, attrs.axis as number),
  one_hot: ([indices], attrs) => oneHot(indices, attrs.depth as number),
  cumsum: ([x], attrs) => alongLastAxis(x, attrs.axis as number, (t) => cumsum(t, attrs.exclusive === true)),
};

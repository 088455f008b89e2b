// The two OT solvers of solvers.ts written with tf ops on a whole [G,S,E] batch of
// groups: the base kernels, for backends that cannot read tensors synchronously
// inside a kernel (webgpu) or should not copy them to the host (tensorflow-gpu).
// Same algorithms, same iteration order and stopping rule, but in float32 on the
// device instead of float64 in JavaScript.
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';
import { sparseOtOptions, type SparseOtOptions } from './solvers.ts';

/**
 * Log-domain Sinkhorn (ε = 1) of every group of `logits` [G,S,E]: marginals
 * a = 1 per token, b = S/E per expert, f = g = 0 at start, each iteration
 * updates g (experts) then f (tokens). Plan = exp(f + logits + g).
 */
export function sinkhornPlanTensor(logits: tf.Tensor3D, iterations: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [G, S, E] = logits.shape;
    const logB = Math.log(S / E);
    let f: tf.Tensor = tf.zeros([G, S, 1]);
    let g: tf.Tensor = tf.zeros([G, 1, E]);
    for (let it = 0; it < iterations; it++) {
      g = tf.sub(logB, tf.logSumExp(tf.add(logits, f), 1, true));
      f = tf.neg(tf.logSumExp(tf.add(logits, g), 2, true));
    }
    return tf.exp(tf.add(tf.add(logits, f), g)) as tf.Tensor3D;
  });
}

/**
 * k-sparse simplex projection along the last axis of `v` (sort-based rule on
 * the k largest entries, zero elsewhere), as sparseSimplexProjection in
 * solvers.ts. tf.topk breaks ties by lower index, like the JavaScript version.
 * Only forward cumsums (tfjs's reverse cumsum is wrong on webgpu).
 */
export function sparseSimplexProjectionTensor(v: tf.Tensor, k: number): tf.Tensor {
  return tf.tidy(() => {
    const n = v.shape[v.shape.length - 1];
    const { values, indices } = tf.topk(v, k, true);
    const cumsum = tf.cumsum(values, values.shape.length - 1);
    const i = tf.range(1, k + 1, 1, 'float32');
    // condition_i = 1/i + v_i − cumsum_i/i > 0; rho = the last i where it holds.
    const holds = tf.cast(tf.greater(tf.add(tf.div(1, i), tf.sub(values, tf.div(cumsum, i))), 0), 'float32');
    const rho = tf.max(tf.mul(holds, i), -1, true);
    // cumsum at rho: the cumsum entry whose index i equals rho.
    const atRho = tf.cast(tf.equal(i, rho), 'float32');
    const rhoCumsum = tf.sum(tf.mul(atRho, cumsum), -1, true);
    const projected = tf.relu(tf.add(tf.div(1, rho), tf.sub(values, tf.div(rhoCumsum, rho))));
    // Scatter the k projected values back to their positions.
    const positions = tf.cast(tf.equal(tf.expandDims(indices, -1), tf.range(0, n, 1, 'int32')), 'float32');
    return tf.sum(tf.mul(tf.expandDims(projected, -1), positions), -2);
  });
}

/**
 * Semi-dual sparse OT plan of every group of `probs` [G,S,E] (sparseOtPlanGroup
 * in solvers.ts): Adam on α ∈ R^S from 0, one unconditional step, then more for
 * each group while its previous gradient norm is > tol, at most `iterations`
 * steps. A group that has stopped keeps its α (a mask, since the device cannot
 * branch on its own values without a read).
 */
export function sparseOtPlanTensor(probs: tf.Tensor3D, options: SparseOtOptions): tf.Tensor3D {
  const { iterations, capacity, lr, tol, gamma } = options;
  return tf.tidy(() => {
    const [G, S, E] = probs.shape;
    const b = S / E;
    const byExpert = tf.transpose(probs, [0, 2, 1]); // [G,E,S]
    // y_j(α) for every expert j: [G,E,S].
    const columnSolutions = (alpha: tf.Tensor) =>
      sparseSimplexProjectionTensor(tf.div(tf.add(byExpert, tf.expandDims(alpha, 1)), gamma * b), capacity);
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    let alpha: tf.Tensor = tf.zeros([G, S]);
    let m: tf.Tensor = tf.zeros([G, S]);
    let v: tf.Tensor = tf.zeros([G, S]);
    let active: tf.Tensor = tf.ones([G, 1]);
    let steps: tf.Tensor = tf.zeros([G, 1]); // Adam's t, per group
    for (let step = 0; step < iterations; step++) {
      const grad = tf.sub(tf.mul(tf.sum(columnSolutions(alpha), 1), b), 1); // [G,S]
      const norm = tf.sqrt(tf.sum(tf.square(grad), 1, true)); // [G,1]
      steps = tf.add(steps, active);
      const m1 = tf.add(tf.mul(m, b1), tf.mul(grad, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(grad), 1 - b2));
      const mHat = tf.div(m1, tf.sub(1, tf.pow(b1, steps)));
      const vHat = tf.div(v1, tf.sub(1, tf.pow(b2, steps)));
      const alpha1 = tf.sub(alpha, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), eps)));
      const keep = tf.sub(1, active);
      alpha = tf.add(tf.mul(alpha1, active), tf.mul(alpha, keep));
      m = tf.add(tf.mul(m1, active), tf.mul(m, keep));
      v = tf.add(tf.mul(v1, active), tf.mul(v, keep));
      // The next step runs only if this step's gradient norm was above tol.
      active = tf.mul(active, tf.cast(tf.greater(norm, tol), 'float32'));
    }
    return tf.transpose(tf.mul(columnSolutions(alpha), b), [0, 2, 1]) as tf.Tensor3D;
  });
}

/** The solvers as tf ops on the device (no synchronous read). */
export const deviceSolverKernels: KernelTable = {
  sinkhorn_plan: ([logits], attrs) => sinkhornPlanTensor(logits as tf.Tensor3D, attrs.iterations as number),
  sparse_ot_plan: ([probs], attrs) => sparseOtPlanTensor(probs as tf.Tensor3D, sparseOtOptions(attrs)),
};

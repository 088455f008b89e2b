// The two composite solver kernels used only for selection (routers.md §4.2,
// §4.4, §4.5), solved on the host: each group's problem is small (S×E), so these
// read the data synchronously and solve it in float64 JavaScript. The profiles of
// backends that read synchronously and cheaply (cpu, wasm, tensorflow) bind them
// (runtime/backends/); the others keep the tf-op versions of solvers-tensor.ts.
// Both are grad: 'none' (ops.ts): kernels/bind.ts keeps them off the tape.
import * as tf from '@tensorflow/tfjs';
import type { KernelTable } from './types.ts';

function logSumExp(values: Float64Array | number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/**
 * Entropic OT plan of one group (ε = 1): marginals a = 1 per token, b = S/E per
 * expert, log-domain Sinkhorn with exactly `iterations` iterations, each
 * updating the expert potential g first, then the token potential f (ott-jax
 * order, f = g = 0 at start). Plan = exp(f + logits + g); rows sum to 1.
 * `logits` is row-major [S,E]; returns the plan in the same layout.
 */
export function sinkhornPlanGroup(logits: ArrayLike<number>, S: number, E: number, iterations: number): Float64Array {
  const f = new Float64Array(S);
  const g = new Float64Array(E);
  const logA = 0;
  const logB = Math.log(S / E);
  const column = new Float64Array(S);
  const row = new Float64Array(E);
  for (let it = 0; it < iterations; it++) {
    for (let e = 0; e < E; e++) {
      for (let s = 0; s < S; s++) column[s] = f[s] + logits[s * E + e];
      g[e] = logB - logSumExp(column);
    }
    for (let s = 0; s < S; s++) {
      for (let e = 0; e < E; e++) row[e] = logits[s * E + e] + g[e];
      f[s] = logA - logSumExp(row);
    }
  }
  const plan = new Float64Array(S * E);
  for (let s = 0; s < S; s++) for (let e = 0; e < E; e++) plan[s * E + e] = Math.exp(f[s] + logits[s * E + e] + g[e]);
  return plan;
}

/** Indices of the k largest values, descending, ties → lower index first. */
function topKIndices(v: Float64Array, k: number): number[] {
  const idx = Array.from(v.keys());
  idx.sort((i, j) => v[j] - v[i] || i - j);
  return idx.slice(0, k);
}

/**
 * k-sparse simplex projection (Kyrillidis et al. 2013; jaxopt
 * projection_sparse_simplex): keep the k largest entries, project them onto
 * the probability simplex with the sort-based rule, zero elsewhere.
 */
export function sparseSimplexProjection(v: Float64Array, k: number): Float64Array {
  const top = topKIndices(v, k); // already sorted descending
  let cumsum = 0;
  let rho = 0;
  let rhoCumsum = 0;
  for (let i = 0; i < top.length; i++) {
    cumsum += v[top[i]];
    if (1 / (i + 1) + v[top[i]] - cumsum / (i + 1) > 0) {
      rho = i + 1;
      rhoCumsum = cumsum;
    }
  }
  const out = new Float64Array(v.length);
  for (const i of top) out[i] = Math.max(0, 1 / rho + v[i] - rhoCumsum / rho);
  return out;
}

export interface SparseOtOptions {
  readonly iterations: number;
  readonly capacity: number;
  readonly lr: number;
  readonly tol: number;
  readonly gamma: number;
}

export interface SparseOtResult {
  /** Row-major [S,E]; column j sums to S/E with at most `capacity` non-zeros. */
  readonly plan: Float64Array;
  readonly alpha: Float64Array;
  /** Adam steps taken. */
  readonly steps: number;
  /** ‖∇F‖ at each step's starting point. */
  readonly gradNorms: number[];
}

/**
 * Semi-dual of the k-sparse quadratically regularised OT (routers.md §4.5) for
 * one group: similarity `probs` [S,E], a = 1, b = S/E, minimised over α ∈ R^S by
 * Adam (β 0.9/0.999, ε 1e-8, bias-corrected) from α = 0. One unconditional
 * step, then more while the previous step's gradient norm is > tol, at most
 * `iterations` steps. Plan P[:,j] = b·y_j(α) at the final α.
 */
export function sparseOtPlanGroup(probs: ArrayLike<number>, S: number, E: number, options: SparseOtOptions): SparseOtResult {
  const { iterations, capacity, lr, tol, gamma } = options;
  const b = S / E;
  const alpha = new Float64Array(S);
  const m = new Float64Array(S);
  const v = new Float64Array(S);
  const column = new Float64Array(S);
  const columnSolutions = (a: Float64Array): Float64Array[] => {
    const ys: Float64Array[] = [];
    for (let j = 0; j < E; j++) {
      for (let s = 0; s < S; s++) column[s] = (a[s] + probs[s * E + j]) / (gamma * b);
      ys.push(sparseSimplexProjection(column, capacity));
    }
    return ys;
  };
  const gradNorms: number[] = [];
  let steps = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  while (steps < iterations && (steps === 0 || gradNorms[steps - 1] > tol)) {
    const ys = columnSolutions(alpha);
    const grad = new Float64Array(S).fill(-1);
    for (const y of ys) for (let s = 0; s < S; s++) grad[s] += b * y[s];
    let norm = 0;
    for (const x of grad) norm += x * x;
    gradNorms.push(Math.sqrt(norm));
    steps++;
    for (let s = 0; s < S; s++) {
      m[s] = b1 * m[s] + (1 - b1) * grad[s];
      v[s] = b2 * v[s] + (1 - b2) * grad[s] * grad[s];
      const mHat = m[s] / (1 - b1 ** steps);
      const vHat = v[s] / (1 - b2 ** steps);
      alpha[s] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  }
  const ys = columnSolutions(alpha);
  const plan = new Float64Array(S * E);
  for (let j = 0; j < E; j++) for (let s = 0; s < S; s++) plan[s * E + j] = b * ys[j][s];
  return { plan, alpha, steps, gradNorms };
}

/** Applies a per-group solver to a [G,S,E] tensor, returning float32 [G,S,E]. */
function perGroup(x: tf.Tensor, solve: (group: Float32Array, S: number, E: number) => Float64Array): tf.Tensor {
  const [G, S, E] = x.shape;
  const data = x.dataSync() as Float32Array;
  const out = new Float32Array(G * S * E);
  for (let g = 0; g < G; g++) out.set(solve(data.subarray(g * S * E, (g + 1) * S * E), S, E), g * S * E);
  return tf.tensor3d(out, [G, S, E], 'float32');
}

/** The sparse_ot_plan node's attributes as solver options. */
export function sparseOtOptions(attrs: Readonly<Record<string, unknown>>): SparseOtOptions {
  return {
    iterations: attrs.iterations as number,
    capacity: attrs.capacity as number,
    lr: attrs.lr as number,
    tol: attrs.tol as number,
    gamma: attrs.gamma as number,
  };
}

/** The solvers in float64 JavaScript, group by group (reads its input synchronously). */
export const hostSolverKernels: KernelTable = {
  sinkhorn_plan: ([logits], attrs) => perGroup(logits, (group, S, E) => sinkhornPlanGroup(group, S, E, attrs.iterations as number)),
  sparse_ot_plan: ([probs], attrs) => perGroup(probs, (group, S, E) => sparseOtPlanGroup(group, S, E, sparseOtOptions(attrs)).plan),
};

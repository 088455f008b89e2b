// The tf-op solvers (runtime/kernels/solvers-tensor.ts) that backends without
// synchronous reads (webgpu) use, checked on cpu against the float64 JavaScript
// solvers of solvers.ts (themselves checked against the reference cases in
// tests/routers/solvers.test.ts) and against the sparse reference cases' plans.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend.ts';
import { sinkhornPlanGroup, sparseOtPlanGroup, sparseSimplexProjection, type SparseOtOptions } from '../../runtime/kernels/solvers.ts';
import { sinkhornPlanTensor, sparseOtPlanTensor, sparseSimplexProjectionTensor } from '../../runtime/kernels/solvers-tensor.ts';
import { expectClose, flat, loadCases } from '../routers/helpers.ts';

/** Deterministic pseudo-random values in [-scale, scale]. */
function values(seed: number, n: number, scale = 3): number[] {
  return Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 12.9898 + i * 78.233));
}

/** The float64 per-group solver applied to every group of a row-major [G,S,E] array. */
function perGroup(data: number[], [G, S, E]: number[], solve: (group: number[]) => Float64Array): number[] {
  const out: number[] = [];
  for (let g = 0; g < G; g++) out.push(...solve(data.slice(g * S * E, (g + 1) * S * E)));
  return out;
}

function softmaxRows(data: number[], E: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / E; r++) {
    const row = data.slice(r * E, (r + 1) * E);
    const max = Math.max(...row);
    const ex = row.map((v) => Math.exp(v - max));
    const sum = ex.reduce((a, v) => a + v, 0);
    out.push(...ex.map((v) => v / sum));
  }
  return out;
}

describe('tf-op OT solvers (cpu) match the float64 JavaScript solvers', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('sinkhornPlanTensor: 3 groups, 1, 5 and 20 iterations, within 1e-5', () => {
    const shape = [3, 8, 4];
    const logits = values(1, 3 * 8 * 4);
    for (const iterations of [1, 5, 20]) {
      const expected = perGroup(logits, shape, (g) => sinkhornPlanGroup(g, 8, 4, iterations));
      const plan = tf.tidy(() => sinkhornPlanTensor(tf.tensor3d(logits, [3, 8, 4]), iterations));
      expectClose(plan.dataSync(), expected, `sinkhorn ${iterations} iterations`, 1e-5);
      plan.dispose();
    }
  });

  it('sparseSimplexProjectionTensor: random rows, k = 1..n, and an exact tie (lower index kept)', () => {
    const n = 7;
    const rows = [values(2, n, 1), values(3, n, 0.2), values(4, n, 5), [0.5, 0.1, 0.5, 0.3, 0.1, 0.5, -1]];
    for (const k of [1, 2, 3, n]) {
      const expected = rows.flatMap((r) => Array.from(sparseSimplexProjection(Float64Array.from(r), k)));
      const got = tf.tidy(() => sparseSimplexProjectionTensor(tf.tensor2d(rows), k));
      expectClose(got.dataSync(), expected, `projection k=${k}`, 1e-6);
      got.dispose();
    }
    // By hand: the k=2 projection of the tie row keeps indices 0 and 2 (lower first), 0.5 each.
    const tie = tf.tidy(() => sparseSimplexProjectionTensor(tf.tensor2d([rows[3]]), 2));
    expect(Array.from(tie.dataSync())).toEqual([0.5, 0, 0.5, 0, 0, 0, 0]);
    tie.dispose();
  });

  it('sparseOtPlanTensor: groups that stop early and groups that run every step, within 1e-5', () => {
    const [G, S, E] = [3, 8, 4];
    const probs = softmaxRows(values(5, G * S * E), E);
    for (const options of [
      { iterations: 20, capacity: 2, lr: 1e-2, tol: 1e-3, gamma: 1 },
      { iterations: 7, capacity: 3, lr: 5e-2, tol: 1e-3, gamma: 0.5 },
      // A tolerance most groups meet after a few steps: the per-group stopping mask matters.
      { iterations: 20, capacity: 2, lr: 1e-2, tol: 1.2, gamma: 1 },
    ] satisfies SparseOtOptions[]) {
      const runs = Array.from({ length: G }, (_, g) => sparseOtPlanGroup(probs.slice(g * S * E, (g + 1) * S * E), S, E, options));
      if (options.tol === 1.2) expect(new Set(runs.map((r) => r.steps)).size).toBeGreaterThan(1);
      const expected = runs.flatMap((r) => Array.from(r.plan));
      const plan = tf.tidy(() => sparseOtPlanTensor(tf.tensor3d(probs, [G, S, E]), options));
      expectClose(plan.dataSync(), expected, `sparse OT ${JSON.stringify(options)}`, 1e-5);
      plan.dispose();
    }
  });

  it('sparseOtPlanTensor reproduces the sparsity-constrained reference plans', () => {
    const cases = loadCases('router-cases').filter((c) => c.expected.sparse_ot && c.expected.plan);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const p = c.params;
      const [G, S, E] = [p.num_groups, p.group_size, p.num_experts];
      const plan = tf.tidy(() =>
        sparseOtPlanTensor(tf.tensor3d(flat(c.expected.gates), [G, S, E]), {
          iterations: p.sparse_ot_maxiter ?? 20,
          capacity: p.resolved_capacity,
          lr: p.adam_lr ?? 1e-2,
          tol: p.sparse_ot_tol ?? 1e-3,
          gamma: p.gamma ?? 1,
        }),
      );
      expectClose(plan.dataSync(), c.expected.plan, `${c.name} plan`, 1e-5);
      plan.dispose();
    }
  });
});

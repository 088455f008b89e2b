// The two solver kernels (runtime/kernels/solvers.ts): Sinkhorn (log-domain,
// exact iteration count, marginals, invariances of routers.md §4.2) and the
// semi-dual sparse OT (iterates against the reference case's solver trace, the
// k-sparse simplex projection, column marginals), and their zero gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { sinkhornPlanGroup, sparseOtPlanGroup, sparseSimplexProjection } from '../../runtime/kernels/solvers.ts';
import { kernelsFor, profileNamed } from '../../runtime/backends/index.ts';
import type { KernelContext } from '../../runtime/kernels/types.ts';
import { expectClose, flat, loadCases } from './helpers.ts';

const SHARED = loadCases('router-cases');
const OWN = loadCases('router-own');
const sparseCases = [...SHARED, ...OWN].filter((c) => c.expected.sparse_ot);

function logitsOf(seed: number, S: number, E: number, scale = 3): number[] {
  return Array.from({ length: S * E }, (_, i) => scale * Math.sin(seed * 12.9898 + i * 78.233));
}

describe('sinkhorn_plan', () => {
  it('rows sum to 1 and columns approach S/E', () => {
    const [S, E] = [16, 4];
    const plan = sinkhornPlanGroup(logitsOf(1, S, E), S, E, 20);
    for (let s = 0; s < S; s++) expect(plan.slice(s * E, (s + 1) * E).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    for (let e = 0; e < E; e++) {
      let col = 0;
      for (let s = 0; s < S; s++) col += plan[s * E + e];
      expect(Math.abs(col - S / E)).toBeLessThan(0.05);
    }
  });

  it('runs exactly the requested iterations (expert scaling first) — one iteration by hand', () => {
    const [S, E] = [3, 2];
    const L = [0.5, -1, 2, 0.25, -0.5, 1];
    // Iteration 1 from f = 0: g_e = log(S/E) − log Σ_s e^{L[s,e]}, then f_s = −log Σ_e e^{L[s,e] + g_e}.
    const g = [0, 1].map((e) => Math.log(S / E) - Math.log([0, 1, 2].reduce((a, s) => a + Math.exp(L[s * E + e]), 0)));
    const f = [0, 1, 2].map((s) => -Math.log([0, 1].reduce((a, e) => a + Math.exp(L[s * E + e] + g[e]), 0)));
    const expected = L.map((l, i) => Math.exp(f[Math.floor(i / E)] + l + g[i % E]));
    expectClose(sinkhornPlanGroup(L, S, E, 1), expected, 'one iteration', 1e-14);
    const two = sinkhornPlanGroup(L, S, E, 2);
    expect(Math.max(...two.map((v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-6);
  });

  it('is invariant to per-expert shifts, not to per-token shifts, and stable for large logits', () => {
    const [S, E] = [8, 4];
    const L = logitsOf(2, S, E);
    const base = sinkhornPlanGroup(L, S, E, 20);
    const colShift = L.map((v, i) => v + 5 * (i % E));
    expectClose(sinkhornPlanGroup(colShift, S, E, 20), base, 'column shift', 1e-12);
    const rowShift = L.map((v, i) => v + 3 * Math.floor(i / E));
    expect(Math.max(...sinkhornPlanGroup(rowShift, S, E, 20).map((v, i) => Math.abs(v - base[i])))).toBeGreaterThan(1e-4);
    const huge = sinkhornPlanGroup(L.map((v) => v * 200 + 1000), S, E, 20);
    expect(huge.every(Number.isFinite)).toBe(true);
  });

  it('matches the reference plans of the shared Sinkhorn cases', () => {
    for (const c of SHARED.filter((x) => x.expected.plan && x.router.startsWith('sinkhorn'))) {
      const [S, E] = [c.params.group_size, c.params.num_experts];
      c.expected.logits.forEach((l: number[][], g: number) => expectClose(sinkhornPlanGroup(flat(l), S, E, c.params.sinkhorn_iters), c.expected.plan[g], `${c.name} plan`, 1e-12));
    }
  });
});

describe('sparse_ot_plan', () => {
  it('k-sparse simplex projection: k largest kept (ties → lower index), simplex projection', () => {
    expectClose(sparseSimplexProjection(Float64Array.from([0.1, 0.9, 0.5, 0.2]), 2), [0, 0.7, 0.3, 0], 'proj', 1e-15);
    expectClose(sparseSimplexProjection(Float64Array.from([1, 1, 1]), 2), [0.5, 0.5, 0], 'ties', 1e-15);
    // Large gap: a single non-zero even with k = 3.
    expectClose(sparseSimplexProjection(Float64Array.from([5, 0, 1]), 3), [1, 0, 0], 'gap', 1e-15);
  });

  it('reproduces the reference solver trace (steps, gradient norms, alpha) and plan', () => {
    expect(sparseCases.length).toBeGreaterThan(0);
    for (const c of sparseCases) {
      const [S, E, C] = [c.params.group_size, c.params.num_experts, c.params.resolved_capacity];
      c.expected.sparse_ot.forEach((trace: { iterations: number; grad_norms: number[]; alpha: number[] }, g: number) => {
        const r = sparseOtPlanGroup(flat(c.expected.gates[g]), S, E, { iterations: 20, capacity: C, lr: 1e-2, tol: 1e-3, gamma: 1 });
        expect(r.steps).toBe(trace.iterations);
        expectClose(r.gradNorms, trace.grad_norms, `${c.name} grad norms`, 1e-12);
        expectClose(r.alpha, trace.alpha, `${c.name} alpha`, 1e-12);
        expectClose(r.plan, c.expected.plan[g], `${c.name} plan`, 1e-12);
        for (let e = 0; e < E; e++) {
          let col = 0;
          let nz = 0;
          for (let s = 0; s < S; s++) {
            col += r.plan[s * E + e];
            if (r.plan[s * E + e] > 0) nz++;
          }
          expect(col).toBeCloseTo(S / E, 12);
          expect(nz).toBeLessThanOrEqual(C);
        }
      });
    }
  });

  it('stops after a step whose gradient norm is at most tol', () => {
    // Uniform similarities: α = 0 is optimal when every column spreads evenly, the first gradient is 0.
    const [S, E] = [4, 4];
    const r = sparseOtPlanGroup(new Array(S * E).fill(0.25), S, E, { iterations: 20, capacity: 4, lr: 1e-2, tol: 1e-3, gamma: 1 });
    expect(r.steps).toBe(1);
    expect(r.gradNorms[0]).toBeLessThanOrEqual(1e-3);
  });
});

describe('solver kernels on tensors', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  const ctx = {} as KernelContext;
  // The cpu profile's solvers (float64 JavaScript) as the executor binds them (grad: 'none' applied).
  const solverKernels = kernelsFor(profileNamed('cpu')!);

  it('give their input a zero gradient and work per group', () => {
    const x = tf.tensor3d(logitsOf(3, 2 * 8 * 4, 1, 1), [2, 8, 4]);
    for (const [op, attrs] of [
      ['sinkhorn_plan', { iterations: 20 }],
      ['sparse_ot_plan', { iterations: 20, capacity: 2, lr: 1e-2, tol: 1e-3, gamma: 1 }],
    ] as const) {
      const input = op === 'sparse_ot_plan' ? tf.softmax(x) : x;
      const plan = solverKernels.get(op)!([input], attrs, ctx);
      expect(plan.shape).toEqual([2, 8, 4]);
      const data = plan.dataSync();
      const grp = op === 'sinkhorn_plan'
        ? sinkhornPlanGroup(input.dataSync().subarray(32, 64), 8, 4, 20)
        : sparseOtPlanGroup(input.dataSync().subarray(32, 64), 8, 4, { ...attrs }).plan;
      expectClose(data.subarray(32, 64), grp, `${op} group 1`, 1e-6);
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(solverKernels.get(op)!([t], attrs, ctx), tf.range(0, 64).reshape([2, 8, 4]))))(input);
      expect(Array.from(grad.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([plan, grad]);
    }
    x.dispose();
  });
});

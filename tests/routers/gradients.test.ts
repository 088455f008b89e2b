// Finite-difference gradient checks (cpu backend) of every router's
// differentiable path — router kernel (through the combine weights and the aux
// losses), Soft MoE's mu and scale (through both softmaxes), and the experts —
// and checks that no gradient flows through the selection (top-k, plans).
//
// Loss L = Σ y·R + 10·aux with a fixed R, evaluated in float64 from the float32
// outputs; central differences with h = 1e-3 on 4 coordinates per parameter;
// tolerance |fd − analytic| ≤ 2e-3 + 2e-2·|analytic|. The selection stays fixed
// under such small steps (the cases' dispatch is stable under 1e-6 relative
// perturbations and verified equal below), so a finite difference sees exactly the
// combine-weight path: a gradient leaking through the selection would show as a mismatch.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../runtime/backend.ts';
import { bindMoeLayer, buildMoeLayerGraph } from '../../runtime/moe-layer.ts';
import type { MoeBlockLayer } from '../../compiler/model.ts';
import { bindCase, layerFromCase, loadCases, type BoundCase, type RouterCase } from './helpers.ts';

const H = 1e-3;
const ATOL = 2e-3;
const RTOL = 2e-2;
const AUX_WEIGHT = 10;

const ALL = [...loadCases('router-cases'), ...loadCases('router-own')];
const byName = (name: string): RouterCase => {
  const c = ALL.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c;
};

function weights(n: number): Float64Array {
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.sin(1.7 * i + 0.3);
  return r;
}

function lossValue(bound: BoundCase, R: Float64Array): { loss: number; dispatch: Float32Array } {
  const res = bound.layer.apply(bound.x, { training: bound.training, nodes: ['dispatch'] });
  const y = res.y.dataSync();
  let loss = AUX_WEIGHT * res.auxLoss.dataSync()[0];
  for (let i = 0; i < y.length; i++) loss += y[i] * R[i];
  const dispatch = res.nodes.get('dispatch')!.dataSync() as Float32Array;
  for (const t of [res.y, res.auxLoss, ...res.stats.values(), ...res.nodes.values()]) t.dispose();
  return { loss, dispatch: Float32Array.from(dispatch) };
}

function analyticGrads(bound: BoundCase, R: Float64Array): Map<string, Float32Array> {
  const Rt = tf.tensor(Array.from(R), bound.x.shape, 'float32');
  const { grads, value } = tf.variableGrads(() => {
    const res = bound.layer.apply(bound.x, { training: bound.training });
    const loss = tf.add(tf.sum(tf.mul(res.y, Rt)), tf.mul(res.auxLoss, AUX_WEIGHT)) as tf.Scalar;
    return loss;
  });
  const out = new Map<string, Float32Array>();
  for (const [name, g] of Object.entries(grads)) {
    const plain = name.replace(/^moec\d+\//, '');
    out.set(plain, Float32Array.from(g.dataSync()));
    g.dispose();
  }
  value.dispose();
  Rt.dispose();
  return out;
}

/** Compares analytic and central-difference gradients on a few coordinates of each parameter. */
function checkGradients(bound: BoundCase, params: readonly string[]): void {
  const R = weights(bound.x.size);
  const analytic = analyticGrads(bound, R);
  const base = lossValue(bound, R);
  for (const name of params) {
    const v = bound.layer.variables.get(name)!;
    const g = analytic.get(name);
    expect(g, `gradient of ${name}`).toBeDefined();
    const values = Float32Array.from(v.dataSync());
    const picks = [0, Math.floor(values.length / 3), Math.floor((2 * values.length) / 3), values.length - 1];
    for (const i of [...new Set(picks)]) {
      const at = (delta: number) => {
        const moved = Float32Array.from(values);
        moved[i] += delta;
        v.assign(tf.tensor(moved, v.shape));
        return lossValue(bound, R);
      };
      const plus = at(H);
      const minus = at(-H);
      v.assign(tf.tensor(values, v.shape));
      // The selection must not change for the difference to be meaningful.
      if (isSparse(bound)) {
        expect(Array.from(plus.dispatch), `${name}[${i}] changed the selection`).toEqual(Array.from(base.dispatch));
        expect(Array.from(minus.dispatch), `${name}[${i}] changed the selection`).toEqual(Array.from(base.dispatch));
      }
      const fd = (plus.loss - minus.loss) / (2 * H);
      const an = g![i];
      expect(Math.abs(fd - an), `${name}[${i}]: finite difference ${fd}, analytic ${an}`).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(an));
    }
  }
}

function isSparse(bound: BoundCase): boolean {
  return bound.layer.graph.blocks[0].family !== 'soft';
}

const EXPERT_PARAMS = ['moe/experts/w1', 'moe/experts/b1', 'moe/experts/w2', 'moe/experts/b2'];

describe('router gradients (cpu, finite differences)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  const cases: [string, string[]][] = [
    ['01_softmax_tc_k1', ['moe/router/kernel', ...EXPERT_PARAMS]],
    ['own_tc_noise_load_loss', ['moe/router/kernel']],
    ['06_sinkhorn_tc_k1', ['moe/router/kernel', ...EXPERT_PARAMS]],
    ['08_softmax_ec_cf1', ['moe/router/kernel', ...EXPERT_PARAMS]],
    ['10_sinkhorn_ec_group16', ['moe/router/kernel']],
    ['own_sinkhorn_tc_k2_plan_combine', ['moe/router/kernel']],
    ['own_sinkhorn_ec_plan_combine', ['moe/router/kernel', 'moe/experts/w2']],
    ['11_sparsity_constrained_ec_cf1', ['moe/router/kernel']],
    ['13_soft_moe_1slot', ['moe/router/mu', 'moe/router/scale', ...EXPERT_PARAMS]],
    ['own_soft_moe_2slots', ['moe/router/mu', 'moe/router/scale']],
  ];
  for (const [name, params] of cases) {
    it(`${name}: analytic gradients match finite differences`, () => {
      const bound = bindCase(byName(name));
      try {
        checkGradients(bound, params);
      } finally {
        bound.layer.dispose();
        bound.x.dispose();
      }
    });
  }

  it('the aux losses carry gradient to the router kernel (importance + load via erf)', () => {
    const bound = bindCase(byName('own_tc_noise_load_loss'));
    try {
      const { grads, value } = tf.variableGrads(() => bound.layer.apply(bound.x, { training: true }).auxLoss);
      const g = Object.entries(grads).find(([n]) => n.endsWith('moe/router/kernel'))![1];
      expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(1e-6);
      for (const t of [...Object.values(grads), value]) t.dispose();
    } finally {
      bound.layer.dispose();
      bound.x.dispose();
    }
  });

  for (const name of ['11_sparsity_constrained_ec_cf1']) {
    it(`${name} with combine: plan — the sparse OT plan is selection-only, so the router kernel gets exactly zero gradient`, () => {
      const c = byName(name);
      const config = layerFromCase(c);
      const layer: MoeBlockLayer = { ...config, router: { ...config.router, combine: 'plan' } as MoeBlockLayer['router'] };
      const built = buildMoeLayerGraph(layer, { width: c.params.dim, tokensPerImage: c.params.tokens_per_image });
      const moe = bindMoeLayer(built, 3);
      const x = tf.tensor3d(c.inputs.x.flat(2) as number[], [c.params.batch, c.params.tokens_per_image, c.params.dim]);
      try {
        const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(moe.apply(x, { training: false }).y)) as tf.Scalar);
        const kernel = Object.entries(grads).find(([n]) => n.endsWith('moe/router/kernel'))![1];
        const w1 = Object.entries(grads).find(([n]) => n.endsWith('moe/experts/w1'))![1];
        expect(Array.from(kernel.dataSync()).every((v) => v === 0)).toBe(true);
        expect(tf.max(tf.abs(w1)).dataSync()[0]).toBeGreaterThan(0);
        for (const t of [...Object.values(grads), value]) t.dispose();
      } finally {
        moe.dispose();
        x.dispose();
      }
    });
  }
});

// Gradients against central finite differences on the cpu backend in float32.
// Step h = 1e-2 and relative tolerance 1e-2: in float32 the rounding error of a
// difference quotient is about ε·|f|/h ≈ 6e-8·|f|/1e-2, and the truncation error
// O(h²·f‴) ≈ 1e-4 for these smooth functions of order-1 values; 1e-2 relative
// (plus 1e-3 absolute for near-zero gradients) sits well above both and well below
// the size of any real gradient bug (a wrong term changes a gradient by O(1)).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower/index.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { fastMatMul } from '../../runtime/kernels/products.ts';
import { vitModel } from './models.ts';
import { runKernel, useBackend } from './helpers.ts';

const H = 1e-2;
const REL = 1e-2;
const ABS = 1e-3;

function expectGradientClose(analytic: number, numeric: number, what: string): void {
  const err = Math.abs(analytic - numeric);
  if (err > REL * Math.max(Math.abs(analytic), Math.abs(numeric)) + ABS) {
    throw new Error(`${what}: analytic ${analytic} vs finite difference ${numeric}`);
  }
}

describe('finite-difference gradient checks (cpu, float32)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('the fast 2-D matmul gradient', () => {
    const a = tf.randomNormal([3, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.tanh(fastMatMul(x, y))) as tf.Scalar;
    const [ga, gb] = tf.grads(f)([a, b]);
    for (const [which, t, g] of [['a', a, ga], ['b', b, gb]] as const) {
      const values = t.dataSync() as Float32Array;
      for (let i = 0; i < values.length; i++) {
        const plus = values.slice();
        const minus = values.slice();
        plus[i] += H;
        minus[i] -= H;
        const at = (v: Float32Array) => {
          const p = tf.tensor(v, t.shape);
          const r = which === 'a' ? f(p, b) : f(a, p);
          return r.dataSync()[0];
        };
        expectGradientClose(g.dataSync()[i], (at(plus) - at(minus)) / (2 * H), `d/d${which}[${i}]`);
      }
    }
    // It is the same function as tf.matMul and its built-in gradient.
    const [ra, rb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
    expect(tf.max(tf.abs(tf.sub(ra, ga))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(rb, gb))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it.each([true, false])('gelu (approximate=%s) gradient', (approximate) => {
    const x = tf.tensor1d([-3, -1.2, -0.3, 0, 0.4, 1, 2.5]);
    const [g] = tf.grads((v: tf.Tensor) => tf.sum(runKernel('gelu', [v], { approximate })))([x]);
    x.dataSync().forEach((v, i) => {
      const f = (u: number) => runKernel('gelu', [tf.scalar(u)], { approximate }).dataSync()[0];
      expectGradientClose(g.dataSync()[i], (f(v + H) - f(v - H)) / (2 * H), `gelu'(${v})`);
    });
  });

  it('layer_norm gradient to x, scale and bias', () => {
    const x = tf.randomNormal([3, 5], 0, 1, 'float32', 11);
    const scale = tf.randomNormal([5], 1, 0.5, 'float32', 12);
    const bias = tf.randomNormal([5], 0, 1, 'float32', 13);
    const w = tf.randomNormal([3, 5], 0, 1, 'float32', 14);
    const f = (a: tf.Tensor, s: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.tanh(runKernel('layer_norm', [a, s, c], { epsilon: 1e-6 })), w));
    const analytic = tf.grads(f)([x, scale, bias]);
    [x, scale, bias].forEach((input, which) => {
      const values = input.dataSync() as Float32Array;
      for (let i = 0; i < values.length; i++) {
        const at = (delta: number) => {
          const v = values.slice();
          v[i] += delta;
          const args = [x, scale, bias];
          args[which] = tf.tensor(v, input.shape);
          return f(args[0], args[1], args[2]).dataSync()[0];
        };
        expectGradientClose(analytic[which].dataSync()[i], (at(H) - at(-H)) / (2 * H), `layer_norm input ${which} [${i}]`);
      }
    });
  });

  it('a whole ViT block (patch embedding, class token, attention, MLP, pooling, head)', () => {
    const graph = lowerModel(vitModel({ image: [4, 4, 1], patch: [2, 2], width: 4, heads: 2, mlp: 8, pool: 'cls', classes: 3 }));
    const m = createGraphModel(graph, { seed: 21 });
    // The head starts at zero, which would zero every upstream gradient: randomise it.
    m.variables.get('head/kernel')!.assign(tf.randomNormal([4, 3], 0, 1, 'float32', 5));
    // The class token starts at zero plus a 0.02-std position embedding: its LayerNorm
    // divides by a tiny spread, so the loss curves sharply there and a step of 1e-2
    // is too coarse (it converges to the analytic value only below 1e-3). Order-1
    // values make the check well conditioned without changing what it checks.
    m.variables.get('cls')!.assign(tf.randomNormal([1, 1, 4], 0, 1, 'float32', 7));
    m.variables.get('posemb')!.assign(tf.randomNormal([5, 4], 0, 1, 'float32', 8));
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const weights = tf.tensor2d([[1, -2, 0.5], [0.3, 1.5, -1]]);
    const loss = () => tf.sum(tf.mul(m.forward(x, { training: false, step: 0 }).logits, weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    let checked = 0;
    for (const [name, variable] of m.variables) {
      if (!variable.trainable) continue;
      const g = grads[variable.name].dataSync();
      const original = variable.dataSync().slice();
      // First, middle and last entry of every parameter.
      for (const i of new Set([0, Math.floor(original.length / 2), original.length - 1])) {
        const shifted = (delta: number) => {
          const v = original.slice();
          v[i] += delta;
          variable.assign(tf.tensor(v, variable.shape));
          return loss().dataSync()[0];
        };
        const numeric = (shifted(H) - shifted(-H)) / (2 * H);
        variable.assign(tf.tensor(original, variable.shape));
        expectGradientClose(g[i], numeric, `${name}[${i}]`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    m.dispose();
  });
});

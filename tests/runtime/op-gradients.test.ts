// The gradient class of every op (compiler/graph/ops.ts `grad`) against its kernel
// as the executor binds it (runtime/kernels/bind.ts, cpu profile): every
// `grad: 'none'` op gives its inputs an exact zero gradient; every other op's
// gradient matches central finite differences of sum(w ⊙ op(x)) (w fixed, eps
// 1e-2 in float32; tolerance 1e-2 absolute + 1e-2 relative, far below the error
// of a wrong sign, factor or missing term). Inputs keep clear of kinks (distinct
// values for max/min/maximum, positive values for log/sqrt/rsqrt).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttrValue, OpKind } from '../../compiler/graph/ir.ts';
import { OPS, OP_KINDS } from '../../compiler/graph/ops.ts';
import { runKernel, useBackend } from './helpers.ts';

interface Sample {
  /** Input values and shapes; int32 inputs are never differentiated. */
  readonly inputs: readonly { readonly shape: number[]; readonly values?: number[]; readonly dtype?: 'int32'; readonly positive?: boolean }[];
  readonly attrs?: Record<string, AttrValue>;
  readonly training?: boolean;
  /** The concrete output shape the executor hands shape kernels. */
  readonly outputShape?: number[];
  /** Inputs whose gradient is zero by the op's contract although the op is differentiable (where's condition). */
  readonly zeroGradInputs?: readonly number[];
}

const v23 = { shape: [2, 3] };
const distinct = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7) % n) / n - 0.4);

/** One small sample per op (sources are bound by the executor and have no kernel). */
const SAMPLES: Record<Exclude<OpKind, 'input' | 'param' | 'constant'>, Sample> = {
  add: { inputs: [v23, { shape: [3] }] },
  sub: { inputs: [v23, { shape: [3] }] },
  mul: { inputs: [v23, { shape: [3] }] },
  div: { inputs: [v23, { shape: [3], positive: true }] },
  maximum: { inputs: [{ shape: [4], values: [0.1, 0.9, -0.3, 0.5] }, { shape: [4], values: [0.4, 0.2, -0.6, 0.8] }] },
  minimum: { inputs: [{ shape: [4], values: [0.1, 0.9, -0.3, 0.5] }, { shape: [4], values: [0.4, 0.2, -0.6, 0.8] }] },
  neg: { inputs: [v23] },
  exp: { inputs: [v23] },
  log: { inputs: [{ shape: [2, 3], positive: true }] },
  sqrt: { inputs: [{ shape: [2, 3], positive: true }] },
  rsqrt: { inputs: [{ shape: [2, 3], positive: true }] },
  square: { inputs: [v23] },
  tanh: { inputs: [v23] },
  erf: { inputs: [v23] },
  sigmoid: { inputs: [v23] },
  gelu: { inputs: [v23], attrs: { approximate: true } },
  greater: { inputs: [v23, v23] },
  greater_equal: { inputs: [v23, v23] },
  less: { inputs: [v23, v23] },
  equal: { inputs: [v23, v23] },
  where: { inputs: [{ shape: [3], values: [1, 0, 2] }, { shape: [3] }, { shape: [3] }], zeroGradInputs: [0] },
  cast: { inputs: [v23], attrs: { dtype: 'float32' } },
  stop_gradient: { inputs: [v23] },
  reshape: { inputs: [v23], attrs: { shape: [3, 2] }, outputShape: [3, 2] },
  transpose: { inputs: [v23], attrs: { perm: [1, 0] } },
  slice: { inputs: [v23], attrs: { begin: [0, 1], size: [2, 2] } },
  concat: { inputs: [v23, { shape: [2, 1] }], attrs: { axis: 1 } },
  broadcast_to: { inputs: [{ shape: [1, 3] }], attrs: { shape: [2, 3] }, outputShape: [2, 3] },
  matmul: { inputs: [v23, { shape: [3, 2] }] },
  batch_matmul: { inputs: [{ shape: [2, 2, 3] }, { shape: [2, 2, 3] }], attrs: { transposeA: false, transposeB: true } },
  expert_matmul: { inputs: [{ shape: [2, 2, 3] }, { shape: [2, 3, 2] }] },
  sum: { inputs: [v23], attrs: { axes: [1], keepDims: false } },
  mean: { inputs: [v23], attrs: { axes: [0], keepDims: true } },
  max: { inputs: [{ shape: [2, 3], values: distinct(6) }], attrs: { axes: [1], keepDims: false } },
  min: { inputs: [{ shape: [2, 3], values: distinct(6) }], attrs: { axes: [1], keepDims: false } },
  logsumexp: { inputs: [v23], attrs: { axis: 1, keepDims: false } },
  softmax: { inputs: [v23] },
  log_softmax: { inputs: [v23] },
  layer_norm: { inputs: [v23, { shape: [3] }, { shape: [3] }], attrs: { epsilon: 1e-6 } },
  dropout: { inputs: [{ shape: [4, 4] }], attrs: { rate: 0.5, stream: 'drop' }, training: true },
  add_noise: { inputs: [v23], attrs: { std: 0.5, stream: 'noise' }, training: true },
  top_k_values: { inputs: [{ shape: [2, 3], values: distinct(6) }], attrs: { k: 2 } },
  top_k_indices: { inputs: [{ shape: [2, 3], values: distinct(6) }], attrs: { k: 2 } },
  argmax: { inputs: [{ shape: [2, 3], values: distinct(6) }], attrs: { axis: 1 } },
  one_hot: { inputs: [{ shape: [3], values: [0, 2, 5], dtype: 'int32' }], attrs: { depth: 3 } },
  cumsum: { inputs: [v23], attrs: { axis: 0, exclusive: true } },
  sinkhorn_plan: { inputs: [{ shape: [1, 4, 2] }], attrs: { iterations: 5 } },
  sparse_ot_plan: { inputs: [{ shape: [1, 4, 2], positive: true }], attrs: { iterations: 10, capacity: 2, lr: 1e-2, tol: 1e-4, gamma: 1 } },
};

function valuesOf(spec: Sample['inputs'][number], seed: number): number[] {
  if (spec.values) return spec.values;
  const n = spec.shape.reduce((a, b) => a * b, 1);
  // Deterministic, irregular, away from 0 when positive.
  return Array.from({ length: n }, (_, i) => {
    const u = Math.sin(seed * 12.9898 + i * 78.233) * 0.5;
    return spec.positive ? 0.5 + Math.abs(u) : u;
  });
}

/** sum(w ⊙ op(xs)) with w = 1, 2, 3, … so every output element matters, as a function of the float inputs. */
function objective(op: OpKind, sample: Sample, fixed: readonly tf.Tensor[]) {
  return (...floats: tf.Tensor[]): tf.Scalar => {
    let next = 0;
    const inputs = fixed.map((t) => (t.dtype === 'int32' ? t : floats[next++]));
    const y = runKernel(op, inputs, sample.attrs ?? {}, { training: sample.training ?? false, step: 3, seed: 1, ...(sample.outputShape ? { outputShape: sample.outputShape } : {}) });
    const out = y.dtype === 'int32' ? tf.cast(y, 'float32') : y;
    return tf.sum(tf.mul(out, tf.range(1, out.size + 1).reshape(out.shape))) as tf.Scalar;
  };
}

describe('every op\'s gradient class (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('the table covers every op with a kernel', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(OP_KINDS.filter((op) => !['input', 'param', 'constant'].includes(op)).sort());
  });

  for (const [op, sample] of Object.entries(SAMPLES) as [OpKind, Sample][]) {
    const grad = OPS[op].grad;
    it(`${op} (grad: '${grad}')`, () => {
      const before = tf.memory().numTensors;
      const inputs = sample.inputs.map((spec, i) => tf.tensor(valuesOf(spec, i + 1), spec.shape, spec.dtype ?? 'float32'));
      const floats = inputs.filter((t) => t.dtype === 'float32');
      const floatIndex = inputs.flatMap((t, i) => (t.dtype === 'float32' ? [i] : []));
      const f = objective(op, sample, inputs);
      if (floats.length === 0) {
        // An int-only op (one_hot): the bound kernel must still be tape-safe.
        expect(grad).toBe('none');
        const x = tf.tensor([0.2, 2.1, 1.4]);
        const g = tf.grad((t: tf.Tensor) => tf.sum(runKernel(op, [tf.cast(tf.floor(t), 'int32')], sample.attrs)))(x);
        expect(Array.from(g.dataSync())).toEqual([0, 0, 0]);
        tf.dispose([g, x]);
      } else {
        const grads = tf.grads(f)(floats);
        grads.forEach((g, j) => {
          const analytic = Array.from(g.dataSync());
          if (grad === 'none' || sample.zeroGradInputs?.includes(floatIndex[j])) {
            expect(analytic.every((v) => v === 0), `${op} input ${floatIndex[j]}: ${analytic}`).toBe(true);
            return;
          }
          const base = Array.from(floats[j].dataSync());
          const eps = 1e-2;
          base.forEach((x0, k) => {
            const at = (x: number) =>
              tf.tidy(() => {
                const moved = floats.map((t, m) => (m === j ? tf.tensor(base.map((b, n) => (n === k ? x : b)), t.shape) : t));
                return f(...moved).dataSync()[0];
              });
            const numeric = (at(x0 + eps) - at(x0 - eps)) / (2 * eps);
            expect(Math.abs(analytic[k] - numeric), `${op} input ${floatIndex[j]}[${k}]: analytic ${analytic[k]}, numeric ${numeric}`).toBeLessThanOrEqual(
              1e-2 + 1e-2 * Math.abs(numeric),
            );
          });
        });
        tf.dispose(grads);
      }
      tf.dispose(inputs);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
